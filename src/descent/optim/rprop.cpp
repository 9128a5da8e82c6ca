#include "descent/optim/rprop.h"

#include <algorithm>
#include <stdexcept>

namespace descent {

std::vector<HyperparamDef> Rprop::hyperparams() {
  HyperparamDef eta_minus = unit_interval("eta_minus", 0.5);  // (0, 1): 0 checked below
  HyperparamDef eta_plus = non_negative("eta_plus", 1.2);     // (1, inf): checked below
  return {non_negative("lr", 1e-2),
          eta_minus,
          eta_plus,
          non_negative("step_size_min", 1e-6),
          non_negative("step_size_max", 50.0),
          flag("maximize", false)};
}

Rprop::Rprop(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("rprop", hyperparams(), defaults, std::move(groups)) {
  for (const auto& g : param_groups()) {
    if (!(0.0 < g.get("eta_minus") && g.get("eta_minus") < 1.0 && 1.0 < g.get("eta_plus")))
      throw std::invalid_argument("rprop: needs 0 < eta_minus < 1 < eta_plus");
    if (g.get("step_size_min") > g.get("step_size_max"))
      throw std::invalid_argument("rprop: needs step_size_min <= step_size_max");
  }
}

void Rprop::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const float eta_minus = static_cast<float>(group.get("eta_minus"));
  const float eta_plus = static_cast<float>(group.get("eta_plus"));
  const float lo = static_cast<float>(group.get("step_size_min"));
  const float hi = static_cast<float>(group.get("step_size_max"));
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const int64_t n = param.numel();
  float* p = param.data();
  float* prev = state.buffer("prev", param).data();
  const bool fresh = !state.has("step_size");
  float* s = state.buffer("step_size", param).data();
  if (fresh) std::fill(s, s + n, static_cast<float>(group.get("lr")));
  state.scalars["step"] += 1.0;  // kept like torch's state['step'], unused by the update
  for (int64_t i = 0; i < n; ++i) {
    float g = sign * grad[i];
    const float product = g * prev[i];  // its sign, as torch takes it (an underflow counts as 0)
    const float factor = product > 0.0f ? eta_plus : product < 0.0f ? eta_minus : 1.0f;
    s[i] = std::clamp(s[i] * factor, lo, hi);
    if (factor == eta_minus) g = 0.0f;  // torch zeroes where the factor equals eta_minus
    p[i] -= (g > 0.0f ? 1.0f : g < 0.0f ? -1.0f : 0.0f) * s[i];
    prev[i] = g;
  }
}

}  // namespace descent
