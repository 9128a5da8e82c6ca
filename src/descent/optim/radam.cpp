#include "descent/optim/radam.h"

#include <cmath>

#include "descent/optim/adam_family.h"
#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct RAdamOptions : AdamFamilyOptions {
  bool decoupled_weight_decay;

  static RAdamOptions from(const ParamGroup& group) {
    return {AdamFamilyOptions::from(group), group.flag("decoupled_weight_decay")};
  }
};

}  // namespace

std::vector<HyperparamDef> RAdam::hyperparams() {
  std::vector<HyperparamDef> defs = adam_family_hyperparams(1e-3, 1e-8, 0.0);
  defs.insert(defs.end(), {flag("decoupled_weight_decay", false), flag("maximize", false)});
  return defs;
}

RAdam::RAdam(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("radam", hyperparams(), defaults, std::move(groups)) {}

void RAdam::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const RAdamOptions o = RAdamOptions::from(group);
  const double beta2 = o.beta2;
  const bool decoupled = o.decoupled_weight_decay;
  const float eps = static_cast<float>(o.eps);
  const WeightDecay wd = weight_decay_of(o.lr, o.weight_decay, decoupled);
  const GradPrologue prologue(o.maximize, wd.coupled);
  const double t = next_step(state);

  const double bias_correction2 = bias_correction(beta2, t);
  const double rho_inf = 2.0 / (1.0 - beta2) - 1.0;
  const double rho_t = rho_inf - 2.0 * t * std::pow(beta2, t) / bias_correction2;
  const bool rectified = rho_t > 5.0;
  const double rect = rectified ? std::sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
                                            ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
                                : 0.0;
  const float bc1 = static_cast<float>(bias_correction(o.beta1, t));
  const float bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  const float lr_f = static_cast<float>(o.lr), rect_f = static_cast<float>(rect);
  const FloatBeta b1 = float_beta(o.beta1), b2 = float_beta(beta2);
  const int64_t n = param.numel();
  float* p = param.data();
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const MomentBuffers moments = moment_buffers(state, param);
  float* const m = moments.m;
  float* const v = moments.v;
  with_flag(decoupled, [&](auto kd) {
    with_flag(rectified, [&](auto kr) {
      update_each(p, n, measured_update(), [=](int64_t i) {
        const float g = prologue(grad[i], p[i]);
        if constexpr (decltype(kd)::value) p[i] *= wd.decay;
        update_moments(m[i], v[i], g, b1, b2);
        const float step = m[i] / bc1 * lr_f;
        if constexpr (decltype(kr)::value) {
          // torch 1.13 order: sqrt(bc2) / (sqrt(v) + eps) is a reciprocal times sqrt(bc2) (Python's
          // float / Tensor), then ((m_hat lr) adaptive_lr) rect.
          const float adaptive_lr = (1.0f / (std::sqrt(v[i]) + eps)) * bc2_sqrt;
          p[i] -= step * adaptive_lr * rect_f;
        } else {
          p[i] -= step;
        }
      });
    });
  });
}

}  // namespace descent
