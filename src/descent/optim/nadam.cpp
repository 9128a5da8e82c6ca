#include "descent/optim/nadam.h"

#include <cmath>

#include "descent/optim/adam_family.h"
#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct NAdamOptions : AdamFamilyOptions {
  double momentum_decay;
  bool decoupled_weight_decay;

  static NAdamOptions from(const ParamGroup& group) {
    return {AdamFamilyOptions::from(group), group.get("momentum_decay"),
            group.flag("decoupled_weight_decay")};
  }
};

}  // namespace

std::vector<HyperparamDef> NAdam::hyperparams() {
  std::vector<HyperparamDef> defs = adam_family_hyperparams(2e-3, 1e-8, 0.0);
  defs.insert(defs.end(), {non_negative("momentum_decay", 4e-3),
                           flag("decoupled_weight_decay", false), flag("maximize", false)});
  return defs;
}

NAdam::NAdam(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("nadam", hyperparams(), defaults, std::move(groups)) {}

void NAdam::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const NAdamOptions o = NAdamOptions::from(group);
  const double lr = o.lr, beta1 = o.beta1, psi = o.momentum_decay;
  const bool decoupled = o.decoupled_weight_decay;
  const float eps = static_cast<float>(o.eps);
  const WeightDecay wd = weight_decay_of(lr, o.weight_decay, decoupled);
  const GradPrologue prologue(o.maximize, wd.coupled);
  const double t = next_step(state);
  if (!state.scalars.count("mu_product")) state.scalars["mu_product"] = 1.0;
  double& mu_product = state.scalars["mu_product"];

  const double mu = beta1 * (1.0 - 0.5 * std::pow(0.96, t * psi));
  const double mu_next = beta1 * (1.0 - 0.5 * std::pow(0.96, (t + 1.0) * psi));
  // PyTorch keeps the product in a float32 tensor, each multiplication rounded to float (its
  // scalar factor too): the same here, so that 1 - P_t, which loses digits as P_t shrinks
  // towards 0 only slowly, matches.
  const float mu_f = static_cast<float>(mu), mu_next_f = static_cast<float>(mu_next);
  const float product = static_cast<float>(mu_product) * mu_f;
  mu_product = product;
  const float product_next = product * mu_f * mu_next_f;  // mu_t twice, as torch 1.13
  const float grad_coef = static_cast<float>(-lr * (1.0 - mu) / (1.0 - product));
  const float avg_coef = static_cast<float>(-lr * mu_next / (1.0 - product_next));
  const float bc2 = static_cast<float>(bias_correction(o.beta2, t));
  const FloatBeta b1 = float_beta(beta1), b2 = float_beta(o.beta2);
  const int64_t n = param.numel();
  float* p = param.data();
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const MomentBuffers moments = moment_buffers(state, param);
  float* const m = moments.m;
  float* const v = moments.v;
  with_flag(decoupled, [&](auto k) {
    update_each(p, n, measured_update(), [=](int64_t i) {
      const float g = prologue(grad[i], p[i]);
      if constexpr (decltype(k)::value) p[i] *= wd.decay;
      update_moments(m[i], v[i], g, b1, b2);
      const float denom = std::sqrt(v[i] / bc2) + eps;
      // Two roundings of p, as PyTorch's two addcdiv_ calls.
      p[i] += grad_coef * g / denom;
      p[i] += avg_coef * m[i] / denom;
    });
  });
}

}  // namespace descent
