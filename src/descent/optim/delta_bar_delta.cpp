#include "descent/optim/delta_bar_delta.h"

#include <algorithm>
#include <bit>
#include <cstdint>

namespace descent {
namespace {

// c ? a : b as a bitwise blend, so both sides are computed unconditionally: with a plain select
// the compiler sinks the arithmetic into the branch, which may trap, and keeps the loop scalar.
inline float blend(bool c, float a, float b) {
  const uint32_t mask = 0u - static_cast<uint32_t>(c);
  return std::bit_cast<float>((std::bit_cast<uint32_t>(a) & mask) |
                              (std::bit_cast<uint32_t>(b) & ~mask));
}

}  // namespace

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
  // Selects on values instead of conditional stores and short-circuit tests, so the loop
  // vectorizes; the arithmetic is unchanged.
  for (int64_t i = 0; i < n; ++i) {
    const float delta = sign * grad[i] + wd * p[i];
    const float prev = bar[i];
    // Compare signs, not the product, which can underflow to 0 for tiny values.
    const bool bar_pos = prev > 0.0f, bar_neg = prev < 0.0f;
    const bool delta_pos = delta > 0.0f, delta_neg = delta < 0.0f;
    const bool agree = (bar_pos & delta_pos) | (bar_neg & delta_neg);
    const bool flip = (bar_pos & delta_neg) | (bar_neg & delta_pos);
    const float old_rate = e[i];
    const float rate_agree = blend(agree, old_rate + kappa, old_rate);
    const float rate = blend(flip, rate_agree * shrink, rate_agree);
    e[i] = rate;
    bar[i] = one_minus_theta * delta + theta * prev;
    p[i] -= rate * delta;
  }
}

}  // namespace descent
