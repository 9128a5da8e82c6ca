#pragma once
// Schedule-free SGD (Defazio et al. 2024, "The Road Less Scheduled"; the reference's
// SGDScheduleFree): the schedule-free sequences of schedule_free.h with a plain gradient step
// and y's interpolation `momentum`. With k counting steps from 0:
//   gamma_k = lr * sched,  sched = (k + 1) / warmup_steps while k < warmup_steps, else 1
//   u = g + weight_decay y
// Defaults (the reference's): lr 1, momentum 0.9, weight_decay 0, warmup_steps 0, r 0,
// weight_lr_power 2.
#include "descent/optim/schedule_free.h"

namespace descent {

class SGDScheduleFree : public ScheduleFree {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  SGDScheduleFree(std::vector<ParamGroup> groups,
                  const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
};

}  // namespace descent
