#include "descent/optim/adam.h"

#include <cmath>

namespace descent {

std::vector<HyperparamDef> Adam::hyperparams() {
  return {
      non_negative("lr", 1e-3),  unit_interval("beta1", 0.9),       unit_interval("beta2", 0.999),
      non_negative("eps", 1e-8), non_negative("weight_decay", 0.0), flag("amsgrad", false),
      flag("maximize", false)};
}

Adam::Adam(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adam", hyperparams(), defaults, std::move(groups)) {}

void Adam::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr"), beta1 = group.get("beta1"), beta2 = group.get("beta2");
  const float eps = static_cast<float>(group.get("eps"));
  const float wd = static_cast<float>(group.get("weight_decay"));
  const bool amsgrad = group.flag("amsgrad");
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const double t = (state.scalars["step"] += 1.0);
  // Scalars in double, rounded once to float, and the loop in torch 1.13's _single_tensor_adam
  // order (divide by sqrt(bias_correction2), then add eps), so results match PyTorch's to rounding.
  // (1 - beta) is taken in double: 1 - float(0.999) is 1.3e-5 away from float(1 - 0.999).
  const float neg_step_size = static_cast<float>(-(lr / (1.0 - std::pow(beta1, t))));
  const float bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(beta2, t)));
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  const float one_minus_b1 = static_cast<float>(1.0 - beta1);
  const float one_minus_b2 = static_cast<float>(1.0 - beta2);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  float* vmax = amsgrad ? state.buffer("max_exp_avg_sq", param).data() : nullptr;
  for (int64_t i = 0; i < n; ++i) {
    const float g = sign * grad[i] + wd * p[i];
    m[i] = m[i] * b1 + one_minus_b1 * g;
    v[i] = v[i] * b2 + one_minus_b2 * g * g;
    float second = v[i];
    if (vmax) second = vmax[i] = std::max(vmax[i], v[i]);
    p[i] += neg_step_size * m[i] / (std::sqrt(second) / bc2_sqrt + eps);
  }
}

}  // namespace descent
