#include "descent/optim/nadam.h"

#include <cmath>

namespace descent {

std::vector<HyperparamDef> NAdam::hyperparams() {
  return {non_negative("lr", 2e-3),
          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.999),
          non_negative("eps", 1e-8),
          non_negative("weight_decay", 0.0),
          non_negative("momentum_decay", 4e-3),
          flag("decoupled_weight_decay", false),
          flag("maximize", false)};
}

NAdam::NAdam(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("nadam", hyperparams(), defaults, std::move(groups)) {}

void NAdam::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr"), beta1 = group.get("beta1"), beta2 = group.get("beta2");
  const double weight_decay = group.get("weight_decay");
  const double psi = group.get("momentum_decay");
  const bool decoupled = group.flag("decoupled_weight_decay");
  const float eps = static_cast<float>(group.get("eps"));
  const float wd = decoupled ? 0.0f : static_cast<float>(weight_decay);
  const float decay = decoupled ? static_cast<float>(1.0 - lr * weight_decay) : 1.0f;
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const double t = (state.scalars["step"] += 1.0);
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
  const float bc2 = static_cast<float>(1.0 - std::pow(beta2, t));
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  const float one_minus_b1 = static_cast<float>(1.0 - beta1);
  const float one_minus_b2 = static_cast<float>(1.0 - beta2);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  for (int64_t i = 0; i < n; ++i) {
    const float g = sign * grad[i] + wd * p[i];
    if (decoupled) p[i] *= decay;
    m[i] = m[i] * b1 + one_minus_b1 * g;
    v[i] = v[i] * b2 + one_minus_b2 * g * g;
    const float denom = std::sqrt(v[i] / bc2) + eps;
    // Two roundings of p, as PyTorch's two addcdiv_ calls.
    p[i] += grad_coef * g / denom;
    p[i] += avg_coef * m[i] / denom;
  }
}

}  // namespace descent
