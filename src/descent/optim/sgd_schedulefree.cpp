#include "descent/optim/sgd_schedulefree.h"

#include "descent/optim/measure_each.h"

namespace descent {

std::vector<HyperparamDef> SGDScheduleFree::hyperparams() {
  std::vector<HyperparamDef> defs = {non_negative("lr", 1.0), unit_interval("momentum", 0.9),
                                     non_negative("weight_decay", 0.0),
                                     non_negative("warmup_steps", 0)};
  for (HyperparamDef& d : schedule_free::averaging_hyperparams()) defs.push_back(std::move(d));
  return defs;
}

SGDScheduleFree::SGDScheduleFree(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : ScheduleFree("sgd_schedulefree", hyperparams(), defaults, std::move(groups), "momentum") {}

void SGDScheduleFree::update(const ParamGroup& group, Tensor& param, const float* grad,
                             ParamState& state) {
  const schedule_free::Sequences s = begin_step(group, param, state, [&](double k) {
    const double warmup = group.get("warmup_steps");
    return group.get("lr") * (k < warmup ? (k + 1) / warmup : 1.0);
  });
  const int64_t n = param.numel();
  float* p = param.data();
  const float wd = static_cast<float>(group.get("weight_decay"));
  update_each(p, n, measured_update(),
              [=](int64_t i) { p[i] = schedule_free::move(s, i, grad[i] + wd * p[i]); });
}

}  // namespace descent
