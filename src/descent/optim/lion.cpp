#include "descent/optim/lion.h"

namespace descent {

std::vector<HyperparamDef> Lion::hyperparams() {
  return {non_negative("lr", 1e-4), unit_interval("beta1", 0.9), unit_interval("beta2", 0.99),
          non_negative("weight_decay", 0.0), flag("maximize", false)};
}

Lion::Lion(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("lion", hyperparams(), defaults, std::move(groups)) {}

void Lion::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr"), beta1 = group.get("beta1"), beta2 = group.get("beta2");
  const float step = static_cast<float>(lr);
  // 1 - lr wd in double, rounded once: lion-pytorch's p.mul_(1 - lr * wd).
  const float decay = static_cast<float>(1.0 - lr * group.get("weight_decay"));
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  const float one_minus_b1 = static_cast<float>(1.0 - beta1);
  const float one_minus_b2 = static_cast<float>(1.0 - beta2);
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  for (int64_t i = 0; i < n; ++i) {
    const float g = sign * grad[i];
    const float c = m[i] * b1 + one_minus_b1 * g;
    const float u = static_cast<float>((c > 0.0f) - (c < 0.0f));
    p[i] = p[i] * decay - step * u;
    m[i] = m[i] * b2 + one_minus_b2 * g;
  }
}

}  // namespace descent
