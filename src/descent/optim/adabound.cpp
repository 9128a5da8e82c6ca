#include "descent/optim/adabound.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> AdaBound::hyperparams() {
  return {
      non_negative("lr", 1e-3),          unit_interval("beta1", 0.9), unit_interval("beta2", 0.999),
      non_negative("final_lr", 0.1),     non_negative("gamma", 1e-3), non_negative("eps", 1e-8),
      non_negative("weight_decay", 0.0), flag("amsbound", false),     flag("maximize", false)};
}

AdaBound::AdaBound(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adabound", hyperparams(), defaults, std::move(groups)) {}

void AdaBound::update(const ParamGroup& group, Tensor& param, const float* grad,
                      ParamState& state) {
  const double lr = group.get("lr");
  const GradPrologue prologue(group.flag("maximize"), group.get("weight_decay"));
  const double t = next_step(state);
  // Kept in the state from the first step, so a resumed optimizer scales its bounds as before.
  const auto saved = state.scalars.find("base_lr");
  const double base =
      saved != state.scalars.end() ? saved->second : (state.scalars["base_lr"] = initial_lr(group));
  const double final_lr = base == 0.0 ? 0.0 : group.get("final_lr") * lr / base;
  const double gamma = group.get("gamma");
  const float lower = static_cast<float>(final_lr * (1 - 1 / (gamma * t + 1)));
  const float upper = static_cast<float>(final_lr * (1 + 1 / (gamma * t)));
  const float step_size =
      static_cast<float>(lr * std::sqrt(bias_correction(group.get("beta2"), t)) /
                         bias_correction(group.get("beta1"), t));
  const float eps = static_cast<float>(group.get("eps"));
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta b1_pair = float_beta(group.get("beta1"));
  const float b1 = b1_pair.beta, one_minus_b1 = b1_pair.one_minus_beta;
  const FloatBeta b2_pair = float_beta(group.get("beta2"));
  const float b2 = b2_pair.beta, one_minus_b2 = b2_pair.one_minus_beta;
  const bool amsbound = group.flag("amsbound");
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  float* v_max = amsbound ? state.buffer("max_exp_avg_sq", param).data() : v;
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = prologue(grad[i], p[i]);
    m[i] = m[i] * b1 + one_minus_b1 * g;
    v[i] = v[i] * b2 + one_minus_b2 * g * g;
    v_max[i] = std::max(v_max[i], v[i]);
    const float rate = std::clamp(step_size / (std::sqrt(v_max[i]) + eps), lower, upper);
    p[i] -= rate * m[i];
  });
}

}  // namespace descent
