#include "descent/optim/novograd.h"

#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> NovoGrad::hyperparams() {
  return {
      non_negative("lr", 1e-3),  unit_interval("beta1", 0.95),      unit_interval("beta2", 0.98),
      non_negative("eps", 1e-8), non_negative("weight_decay", 0.0), flag("grad_averaging", false),
      flag("maximize", false)};
}

NovoGrad::NovoGrad(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("novograd", hyperparams(), defaults, std::move(groups)) {}

void NovoGrad::update(const ParamGroup& group, Tensor& param, const float* grad,
                      ParamState& state) {
  const float sign = maximize_sign(group.flag("maximize"));
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  // The squared norm in double, then rounded: one number per tensor, so its summation order
  // matters little and a double sum keeps it independent of the tensor's size.
  double q = 0;
  for (int64_t i = 0; i < n; ++i) q += static_cast<double>(grad[i]) * grad[i];
  const double beta2 = group.get("beta2");
  double& v = state.scalars["exp_avg_sq"];
  v = next_step(state) == 1 ? q : beta2 * v + (1 - beta2) * q;
  const float scale = static_cast<float>(1.0 / (std::sqrt(v) + group.get("eps")));
  const float wd = static_cast<float>(group.get("weight_decay"));
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta b1_pair = float_beta(group.get("beta1"));
  const float b1 = b1_pair.beta, one_minus_b1 = b1_pair.one_minus_beta;
  const float averaging = group.flag("grad_averaging") ? one_minus_b1 : 1.0f;
  const float step = static_cast<float>(group.get("lr"));
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float u = (sign * grad[i] * scale + wd * p[i]) * averaging;
    m[i] = m[i] * b1 + u;
    p[i] -= step * m[i];
  });
}

}  // namespace descent
