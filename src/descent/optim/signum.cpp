#include "descent/optim/signum.h"

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> Signum::hyperparams() {
  return {non_negative("lr", 1e-3), unit_interval("momentum", 0.9),
          non_negative("weight_decay", 0.0), flag("decoupled", false), flag("maximize", false)};
}

Signum::Signum(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("signum", hyperparams(), defaults, std::move(groups)) {}

void Signum::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr");
  const WeightDecay wd = weight_decay_of(lr, group.get("weight_decay"), group.flag("decoupled"));
  const GradPrologue prologue(group.flag("maximize"), wd.coupled);
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta mu_pair = float_beta(group.get("momentum"));
  const float mu = mu_pair.beta, one_minus_mu = mu_pair.one_minus_beta;
  const float step = static_cast<float>(lr);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("momentum_buffer", param).data();
  next_step(state);
  update_each(p, n, measured_update(), [=](int64_t i) {
    m[i] = m[i] * mu + one_minus_mu * prologue(grad[i], p[i]);
    const float sign = static_cast<float>((m[i] > 0.0f) - (m[i] < 0.0f));
    p[i] = p[i] * wd.decay - step * sign;
  });
}

}  // namespace descent
