#include "descent/optim/adamax.h"

#include <algorithm>
#include <cmath>

namespace descent {

std::vector<HyperparamDef> Adamax::hyperparams() {
  return {non_negative("lr", 2e-3),          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.999),     non_negative("eps", 1e-8),
          non_negative("weight_decay", 0.0), flag("maximize", false)};
}

Adamax::Adamax(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adamax", hyperparams(), defaults, std::move(groups)) {}

void Adamax::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr"), beta1 = group.get("beta1"), beta2 = group.get("beta2");
  const float eps = static_cast<float>(group.get("eps"));
  const float wd = static_cast<float>(group.get("weight_decay"));
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const double t = (state.scalars["step"] += 1.0);
  // torch 1.13's _single_tensor_adamax: clr = lr / (1 - beta1^t) in double, addcdiv(m, u, -clr).
  const float neg_clr = static_cast<float>(-(lr / (1.0 - std::pow(beta1, t))));
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  const float one_minus_b1 = static_cast<float>(1.0 - beta1);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* u = state.buffer("exp_inf", param).data();
  for (int64_t i = 0; i < n; ++i) {
    const float g = sign * grad[i] + wd * p[i];
    m[i] = m[i] * b1 + one_minus_b1 * g;
    u[i] = std::max(u[i] * b2, std::abs(g) + eps);
    p[i] += neg_clr * m[i] / u[i];
  }
}

}  // namespace descent
