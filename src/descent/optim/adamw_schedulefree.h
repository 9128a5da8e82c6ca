#pragma once
// Schedule-free AdamW (Defazio et al. 2024, "The Road Less Scheduled"; the reference's
// AdamWScheduleFree): the schedule-free sequences of schedule_free.h with an Adam-normalized step
// and y's interpolation beta1. With k counting steps from 0:
//   gamma_k = lr * sched * sqrt(1 - beta2^(k+1)),  sched = (k + 1) / warmup_steps while
//             k < warmup_steps, else 1
//   v <- beta2 v + (1 - beta2) g^2
//   u = g / (sqrt(v) + eps) + weight_decay y            (decay taken at y)
// Defaults (the reference's): lr 0.0025, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0,
// warmup_steps 0, r 0, weight_lr_power 2.
#include "descent/optim/schedule_free.h"

namespace descent {

class AdamWScheduleFree : public ScheduleFree {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  AdamWScheduleFree(std::vector<ParamGroup> groups,
                    const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
};

}  // namespace descent
