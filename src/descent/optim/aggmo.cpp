#include "descent/optim/aggmo.h"

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> AggMo::hyperparams() {
  return {
      non_negative("lr", 0.1),      unit_interval("beta1", 0.0),       unit_interval("beta2", 0.9),
      unit_interval("beta3", 0.99), non_negative("weight_decay", 0.0), flag("decoupled", false),
      flag("maximize", false)};
}

AggMo::AggMo(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("aggmo", hyperparams(), defaults, std::move(groups)) {}

void AggMo::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr");
  const WeightDecay wd = weight_decay_of(lr, group.get("weight_decay"), group.flag("decoupled"));
  const GradPrologue prologue(group.flag("maximize"), wd.coupled);
  const float b1 = static_cast<float>(group.get("beta1"));
  const float b2 = static_cast<float>(group.get("beta2"));
  const float b3 = static_cast<float>(group.get("beta3"));
  const float step = static_cast<float>(lr / 3.0);
  const int64_t n = param.numel();
  float* p = param.data();
  float* v1 = state.buffer("velocity1", param).data();
  float* v2 = state.buffer("velocity2", param).data();
  float* v3 = state.buffer("velocity3", param).data();
  next_step(state);
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = prologue(grad[i], p[i]);
    v1[i] = v1[i] * b1 + g;
    v2[i] = v2[i] * b2 + g;
    v3[i] = v3[i] * b3 + g;
    p[i] = p[i] * wd.decay - step * (v1[i] + v2[i] + v3[i]);
  });
}

}  // namespace descent
