#include "descent/optim/qhadam.h"

#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> QHAdam::hyperparams() {
  return {non_negative("lr", 1e-3),
          unit_interval("beta1", 0.995),
          unit_interval("beta2", 0.999),
          fraction("nu1", 0.7),
          fraction("nu2", 1.0),
          non_negative("eps", 1e-8),
          non_negative("weight_decay", 0.0),
          flag("decoupled", false),
          flag("maximize", false)};
}

QHAdam::QHAdam(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("qhadam", hyperparams(), defaults, std::move(groups)) {}

void QHAdam::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr");
  const WeightDecay wd = weight_decay_of(lr, group.get("weight_decay"), group.flag("decoupled"));
  const GradPrologue prologue(group.flag("maximize"), wd.coupled);
  next_step(state);
  // The weight of the newest gradient in each bias-corrected average: 1 / sum of beta^i.
  double& w1 = state.scalars["beta1_weight"];
  double& w2 = state.scalars["beta2_weight"];
  w1 = 1.0 + group.get("beta1") * w1;
  w2 = 1.0 + group.get("beta2") * w2;
  const float take1 = static_cast<float>(1.0 / w1), take2 = static_cast<float>(1.0 / w2);
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta nu1_pair = float_beta(group.get("nu1"));
  const float nu1 = nu1_pair.beta, one_minus_nu1 = nu1_pair.one_minus_beta;
  const FloatBeta nu2_pair = float_beta(group.get("nu2"));
  const float nu2 = nu2_pair.beta, one_minus_nu2 = nu2_pair.one_minus_beta;
  const float eps = static_cast<float>(group.get("eps"));
  const float step = static_cast<float>(lr);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = prologue(grad[i], p[i]);
    m[i] += take1 * (g - m[i]);
    v[i] += take2 * (g * g - v[i]);
    const float numerator = one_minus_nu1 * g + nu1 * m[i];
    const float denominator = std::sqrt(one_minus_nu2 * g * g + nu2 * v[i]) + eps;
    p[i] = p[i] * wd.decay - step * numerator / denominator;
  });
}

}  // namespace descent
