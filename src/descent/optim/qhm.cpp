#include "descent/optim/qhm.h"

#include "descent/optim/measure_each.h"
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
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta beta_pair = float_beta(group.get("beta"));
  const float beta = beta_pair.beta, one_minus_beta = beta_pair.one_minus_beta;
  const FloatBeta nu_pair = float_beta(group.get("nu"));
  const float nu = nu_pair.beta, one_minus_nu = nu_pair.one_minus_beta;
  const float step = static_cast<float>(lr);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("momentum_buffer", param).data();
  next_step(state);
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = prologue(grad[i], p[i]);
    m[i] = m[i] * beta + one_minus_beta * g;
    p[i] = p[i] * wd.decay - step * (one_minus_nu * g + nu * m[i]);
  });
}

}  // namespace descent
