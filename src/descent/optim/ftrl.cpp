#include "descent/optim/ftrl.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> Ftrl::hyperparams() {
  HyperparamDef lr_power = real("lr_power", -0.5);
  lr_power.max = 0;  // 0 is a fixed learning rate; positive powers would grow it
  return {non_negative("lr", 1e-3),
          lr_power,
          non_negative("initial_accumulator_value", 0.1),
          non_negative("l1", 0.0),
          non_negative("l2", 0.0),
          non_negative("l2_shrinkage", 0.0),
          non_negative("beta", 0.0),
          flag("maximize", false)};
}

Ftrl::Ftrl(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("ftrl", hyperparams(), defaults, std::move(groups)) {}

void Ftrl::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr");
  if (lr == 0.0) return;  // FTRL divides by lr: a zero rate (a schedule at 0) leaves p alone
  const float sign = maximize_sign(group.flag("maximize"));
  const float power = static_cast<float>(-group.get("lr_power"));
  const float rate = static_cast<float>(lr);
  const float l1 = static_cast<float>(group.get("l1"));
  const float l2 = static_cast<float>(group.get("l2") + group.get("beta") / (2 * lr));
  const float shrinkage = static_cast<float>(2 * group.get("l2_shrinkage"));
  const int64_t n = param.numel();
  float* p = param.data();
  const bool first = !state.has("accumulator");
  float* accumulator = state.buffer("accumulator", param).data();
  float* z = state.buffer("linear", param).data();
  if (first)
    std::fill_n(accumulator, n, static_cast<float>(group.get("initial_accumulator_value")));
  next_step(state);
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = sign * grad[i];
    const float fresh = accumulator[i] + g * g;
    const float fresh_power = std::pow(fresh, power);
    z[i] += g + shrinkage * p[i] - (fresh_power - std::pow(accumulator[i], power)) / rate * p[i];
    const float q = fresh_power / rate + 2 * l2;
    p[i] = (std::clamp(z[i], -l1, l1) - z[i]) / q;
    accumulator[i] = fresh;
  });
}

}  // namespace descent
