#include "descent/optim/madgrad.h"

#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> Madgrad::hyperparams() {
  return {non_negative("lr", 1e-2),          unit_interval("momentum", 0.9),
          non_negative("weight_decay", 0.0), non_negative("eps", 1e-6),
          flag("decoupled", false),          flag("maximize", false)};
}

Madgrad::Madgrad(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("madgrad", hyperparams(), defaults, std::move(groups)) {}

void Madgrad::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double eps = group.get("eps");
  // The authors add eps to a non-zero lr "for stability".
  const double lr = group.get("lr") == 0.0 ? 0.0 : group.get("lr") + eps;
  const WeightDecay wd = weight_decay_of(lr, group.get("weight_decay"), group.flag("decoupled"));
  const GradPrologue prologue(group.flag("maximize"), wd.coupled);
  const double k = next_step(state) - 1;
  const float lambda = static_cast<float>(lr * std::sqrt(k + 1));
  const float feps = static_cast<float>(eps);
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta momentum_pair = float_beta(group.get("momentum"));
  const float momentum = momentum_pair.beta, one_minus_momentum = momentum_pair.one_minus_beta;
  const int64_t n = param.numel();
  float* p = param.data();
  const bool first = !state.has("x0");
  float* x0 = state.buffer("x0", param).data();
  float* nu = state.buffer("grad_sum_sq", param).data();
  float* s = state.buffer("s", param).data();
  if (first) std::copy_n(p, n, x0);
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = prologue(grad[i], p[i]);
    nu[i] += lambda * g * g;
    s[i] += lambda * g;
    const float z = x0[i] - s[i] / (std::cbrt(nu[i]) + feps);
    p[i] = p[i] * wd.decay * momentum + one_minus_momentum * z;
  });
}

}  // namespace descent
