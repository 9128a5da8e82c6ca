#include "descent/optim/delta_bar_delta.h"

#include <algorithm>

namespace descent {

std::vector<HyperparamDef> DeltaBarDelta::hyperparams() {
  return {non_negative("lr", 1e-3),    non_negative("kappa", 1e-4),       unit_interval("phi", 0.1),
          unit_interval("theta", 0.7), non_negative("weight_decay", 0.0), flag("maximize", false)};
}

DeltaBarDelta::DeltaBarDelta(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("delta_bar_delta", hyperparams(), defaults, std::move(groups)) {}

void DeltaBarDelta::update(const ParamGroup& group, Tensor& param, const float* grad,
                           ParamState& state) {
  if (!state.has("learning_rates")) {
    auto values = state.buffer("learning_rates", param).values();
    std::fill(values.begin(), values.end(), static_cast<float>(group.get("lr")));
  }
  const float kappa = static_cast<float>(group.get("kappa"));
  const float shrink = static_cast<float>(1.0 - group.get("phi"));
  const float theta = static_cast<float>(group.get("theta"));
  const float one_minus_theta = static_cast<float>(1.0 - group.get("theta"));
  const float wd = static_cast<float>(group.get("weight_decay"));
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const int64_t n = param.numel();
  float* p = param.data();
  float* e = state.buffer("learning_rates", param).data();
  float* bar = state.buffer("bar_delta", param).data();
  for (int64_t i = 0; i < n; ++i) {
    const float delta = sign * grad[i] + wd * p[i];
    // Compare signs, not the product, which can underflow to 0 for tiny values.
    const bool agree = (bar[i] > 0.0f && delta > 0.0f) || (bar[i] < 0.0f && delta < 0.0f);
    const bool flip = (bar[i] > 0.0f && delta < 0.0f) || (bar[i] < 0.0f && delta > 0.0f);
    if (agree) e[i] += kappa;
    if (flip) e[i] *= shrink;
    bar[i] = one_minus_theta * delta + theta * bar[i];
    p[i] -= e[i] * delta;
  }
}

}  // namespace descent
