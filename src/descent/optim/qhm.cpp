#include "descent/optim/qhm.h"

#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> QHM::hyperparams() {
  return {non_negative("lr", 0.01),          unit_interval("beta", 0.999), fraction("nu", 0.7),
          non_negative("weight_decay", 0.0), flag("decoupled", false),     flag("maximize", false)};
}

QHM::QHM(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("qhm", hyperparams(), defaults, std::move(groups)) {}

void QHM::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr");
  const WeightDecay wd = weight_decay_of(lr, group.get("weight_decay"), group.flag("decoupled"));
  const GradPrologue prologue(group.flag("maximize"), wd.coupled);
  const auto [beta, one_minus_beta] = float_beta(group.get("beta"));
  const auto [nu, one_minus_nu] = float_beta(group.get("nu"));
  const float step = static_cast<float>(lr);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("momentum_buffer", param).data();
  next_step(state);
  for (int64_t i = 0; i < n; ++i) {
    const float g = prologue(grad[i], p[i]);
    m[i] = m[i] * beta + one_minus_beta * g;
    p[i] = p[i] * wd.decay - step * (one_minus_nu * g + nu * m[i]);
  }
}

}  // namespace descent
