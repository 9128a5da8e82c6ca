#include "descent/optim/adabelief.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/adam_family.h"
#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

namespace {

struct AdaBeliefOptions : AdamFamilyOptions {
  bool decoupled_weight_decay, amsgrad, rectify;

  static AdaBeliefOptions from(const ParamGroup& group) {
    return {AdamFamilyOptions::from(group), group.flag("decoupled_weight_decay"),
            group.flag("amsgrad"), group.flag("rectify")};
  }
};

}  // namespace

std::vector<HyperparamDef> AdaBelief::hyperparams() {
  std::vector<HyperparamDef> defs = adam_family_hyperparams(1e-3, 1e-16, 0.0);
  defs.insert(defs.end(), {flag("decoupled_weight_decay", true), flag("amsgrad", false),
                           flag("rectify", false), flag("maximize", false)});
  return defs;
}

AdaBelief::AdaBelief(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adabelief", hyperparams(), defaults, std::move(groups)) {}

void AdaBelief::update(const ParamGroup& group, Tensor& param, const float* grad,
                       ParamState& state) {
  const AdaBeliefOptions o = AdaBeliefOptions::from(group);
  const double lr = o.lr, beta2 = o.beta2;
  const WeightDecay wd = weight_decay_of(lr, o.weight_decay, o.decoupled_weight_decay);
  const GradPrologue prologue(o.maximize, wd.coupled);
  const float eps = static_cast<float>(o.eps);
  const double t = next_step(state);
  const double bc1 = bias_correction(o.beta1, t), bc2 = bias_correction(beta2, t);

  // The step as p -= step_size * m / (sqrt(s) / bc2_sqrt + eps), or p -= step_size * m when the
  // rectified variance is not yet tractable (bc2_sqrt = 0 marks that).
  double step_size = lr / bc1;
  double bc2_sqrt = std::sqrt(bc2);
  if (o.rectify) {
    const double rho_inf = 2.0 / (1.0 - beta2) - 1.0;
    const double rho_t = rho_inf - 2.0 * t * std::pow(beta2, t) / bc2;
    if (rho_t >= 5.0) {
      step_size = lr *
                  std::sqrt(bc2 * (rho_t - 4.0) / (rho_inf - 4.0) * (rho_t - 2.0) / rho_t *
                            rho_inf / (rho_inf - 2.0)) /
                  bc1;
      bc2_sqrt = 1.0;
    } else {
      bc2_sqrt = 0.0;
    }
  }
  const float neg_step = static_cast<float>(-step_size);
  const float bc2s = static_cast<float>(bc2_sqrt);
  const bool adaptive = bc2_sqrt != 0.0;

  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta beta1_f = float_beta(o.beta1), beta2_f = float_beta(beta2);
  const float b1 = beta1_f.beta, one_minus_b1 = beta1_f.one_minus_beta;
  const float b2 = beta2_f.beta, one_minus_b2 = beta2_f.one_minus_beta;
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* s = state.buffer("exp_avg_var", param).data();
  float* smax = o.amsgrad ? state.buffer("max_exp_avg_var", param).data() : nullptr;
  // amsgrad and the rectification's choice are template arguments, so each combination is its
  // own branch-free loop that the compiler vectorizes; the arithmetic is unchanged.
  auto loop = [&]<bool kAmsgrad, bool kAdaptive>() {
    update_each(p, n, measured_update(), [=](int64_t i) {
      const float g = prologue(grad[i], p[i]);
      p[i] *= wd.decay;
      m[i] = m[i] * b1 + one_minus_b1 * g;
      const float r = g - m[i];
      s[i] = s[i] * b2 + one_minus_b2 * r * r + eps;
      float second = s[i];
      if constexpr (kAmsgrad) second = smax[i] = std::max(smax[i], s[i]);
      if constexpr (kAdaptive) {
        p[i] += neg_step * m[i] / (std::sqrt(second) / bc2s + eps);
      } else {
        // The rectified warm-up (a few steps, scalar is fine): the product rounded on its own
        // as before, when it came through a select; seen bare, p + step * m would become an FMA
        // and change the last bit.
        volatile float step = neg_step * m[i];
        p[i] += step;
      }
    });
  };
  if (smax) {
    if (adaptive)
      loop.template operator()<true, true>();
    else
      loop.template operator()<true, false>();
  } else {
    if (adaptive)
      loop.template operator()<false, true>();
    else
      loop.template operator()<false, false>();
  }
}

}  // namespace descent
