#include "descent/optim/adopt.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"
#include "descent/util/sum_squares.h"

namespace descent {

std::vector<HyperparamDef> Adopt::hyperparams() {
  return {non_negative("lr", 1e-3),
          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.9999),
          non_negative("eps", 1e-6),
          non_negative("weight_decay", 0.0),
          flag("decoupled", false),
          flag("clip", true),
          flag("maximize", false)};
}

Adopt::Adopt(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adopt", hyperparams(), defaults, std::move(groups)) {}

void Adopt::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr");
  const bool decoupled = group.flag("decoupled");
  const WeightDecay wd = weight_decay_of(lr, group.get("weight_decay"), decoupled);
  const GradPrologue prologue(group.flag("maximize"), wd.coupled);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  // The step count before this step: 0 on the first, which only fills v.
  const double t = next_step(state) - 1;
  if (t == 0) {
    for (int64_t i = 0; i < n; ++i) {
      const float g = prologue(grad[i], p[i]);
      v[i] = g * g;
    }
    // The parameter stays where it is: measured, it moved by nothing.
    if (UpdateNorms* norms = measured_update()) *norms = {sum_squares(p, n), 0.0};
    return;
  }
  const float eps = static_cast<float>(group.get("eps"));
  const float bound = group.flag("clip") ? static_cast<float>(std::pow(t, 0.25)) : INFINITY;
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta b1_pair = float_beta(group.get("beta1"));
  const float b1 = b1_pair.beta, one_minus_b1 = b1_pair.one_minus_beta;
  const FloatBeta b2_pair = float_beta(group.get("beta2"));
  const float b2 = b2_pair.beta, one_minus_b2 = b2_pair.one_minus_beta;
  const float step = static_cast<float>(lr);
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = prologue(grad[i], p[i]);
    const float u = std::clamp(g / std::max(std::sqrt(v[i]), eps), -bound, bound);
    m[i] = m[i] * b1 + one_minus_b1 * u;
    p[i] = p[i] * wd.decay - step * m[i];
    v[i] = v[i] * b2 + one_minus_b2 * g * g;
  });
}

}  // namespace descent
