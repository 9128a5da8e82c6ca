#include "descent/optim/sgd.h"

#include <stdexcept>

namespace descent {

std::vector<HyperparamDef> SGD::hyperparams() {
  return {non_negative("lr", 1e-3),        non_negative("momentum", 0.0),
          unit_interval("dampening", 0.0), non_negative("weight_decay", 0.0),
          flag("nesterov", false),         flag("maximize", false)};
}

SGD::SGD(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("sgd", hyperparams(), defaults, std::move(groups)) {
  for (const auto& g : param_groups())
    if (g.flag("nesterov") && (g.get("momentum") <= 0 || g.get("dampening") != 0))
      throw std::invalid_argument("sgd: nesterov=true requires momentum > 0 and dampening = 0");
}

void SGD::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const float lr = static_cast<float>(group.get("lr"));
  const float momentum = static_cast<float>(group.get("momentum"));
  // 1 - dampening in double, then rounded, as PyTorch passes it (alpha=1 - dampening).
  const float one_minus_dampening = static_cast<float>(1.0 - group.get("dampening"));
  const float wd = static_cast<float>(group.get("weight_decay"));
  const bool nesterov = group.flag("nesterov");
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const int64_t n = param.numel();
  float* p = param.data();
  if (momentum == 0.0f) {
    for (int64_t i = 0; i < n; ++i) p[i] -= lr * (sign * grad[i] + wd * p[i]);
    return;
  }
  const bool first = !state.has("momentum_buffer");
  float* b = state.buffer("momentum_buffer", param).data();
  for (int64_t i = 0; i < n; ++i) {
    const float g = sign * grad[i] + wd * p[i];
    b[i] = first ? g : b[i] * momentum + one_minus_dampening * g;
    p[i] -= lr * (nesterov ? g + momentum * b[i] : b[i]);
  }
}

}  // namespace descent
