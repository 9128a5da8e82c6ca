#include "descent/optim/adamw_schedulefree.h"

#include <cmath>

#include "descent/optim/adam_family.h"
#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> AdamWScheduleFree::hyperparams() {
  std::vector<HyperparamDef> defs = adam_family_hyperparams(0.0025, 1e-8, 0.0);
  defs.push_back(non_negative("warmup_steps", 0));
  for (HyperparamDef& d : schedule_free::averaging_hyperparams()) defs.push_back(std::move(d));
  return defs;
}

AdamWScheduleFree::AdamWScheduleFree(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : ScheduleFree("adamw_schedulefree", hyperparams(), defaults, std::move(groups), "beta1") {}

void AdamWScheduleFree::update(const ParamGroup& group, Tensor& param, const float* grad,
                               ParamState& state) {
  const double beta2 = group.get("beta2");
  const schedule_free::Sequences s = begin_step(group, param, state, [&](double k) {
    const double warmup = group.get("warmup_steps");
    const double sched = k < warmup ? (k + 1) / warmup : 1.0;
    return group.get("lr") * sched * std::sqrt(bias_correction(beta2, k + 1));
  });
  const int64_t n = param.numel();
  float* p = param.data();
  float* v = state.buffer("exp_avg_sq", param).data();
  const FloatBeta b2 = float_beta(beta2);
  const float eps = static_cast<float>(group.get("eps"));
  const float wd = static_cast<float>(group.get("weight_decay"));
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = grad[i];
    v[i] = v[i] * b2.beta + b2.one_minus_beta * g * g;
    p[i] = schedule_free::move(s, i, g / (std::sqrt(v[i]) + eps) + wd * p[i]);
  });
}

}  // namespace descent
