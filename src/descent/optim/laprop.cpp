#include "descent/optim/laprop.h"

#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> LaProp::hyperparams() {
  return {non_negative("lr", 4e-4),          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.999),     non_negative("eps", 1e-15),
          non_negative("weight_decay", 0.0), flag("maximize", false)};
}

LaProp::LaProp(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("laprop", hyperparams(), defaults, std::move(groups)) {}

void LaProp::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr");
  const double beta1 = group.get("beta1");
  const double t = next_step(state);
  double& lr_average = state.scalars["exp_avg_lr"];
  lr_average = lr_average * beta1 + (1 - beta1) * lr;
  const float step = static_cast<float>(lr == 0.0 ? 1.0 : lr / lr_average);
  const float correction2 = static_cast<float>(bias_correction(group.get("beta2"), t));
  const float decay = decoupled_decay(1.0, group.get("weight_decay"));
  const float sign = maximize_sign(group.flag("maximize"));
  const float eps = static_cast<float>(group.get("eps"));
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const float b1 = float_beta(beta1).beta;  // 1 - beta1 enters as lr_weight, taken in double
  const FloatBeta b2_pair = float_beta(group.get("beta2"));
  const float b2 = b2_pair.beta, one_minus_b2 = b2_pair.one_minus_beta;
  const float lr_weight = static_cast<float>((1 - beta1) * lr);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = sign * grad[i];
    v[i] = v[i] * b2 + one_minus_b2 * g * g;
    m[i] = m[i] * b1 + lr_weight * (g / (std::sqrt(v[i] / correction2) + eps));
    p[i] = (p[i] - step * m[i]) * decay;
  });
}

}  // namespace descent
