#pragma once
// Schedule-free RAdam (the reference's RAdamScheduleFree, after Liu et al. 2020's rectified Adam):
// the schedule-free sequences of schedule_free.h with RAdam's rectified step, which needs no
// warmup; y's interpolation is beta1. With t = k + 1:
//   rho_inf = 2 / (1 - beta2) - 1;   rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
//   rect = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t)) if rho_t > 4,
//          else 0 (silent_sgd_phase, the default: no step while the variance is untrustworthy)
//          or 1 (an SGD step)
//   gamma_k = lr * rect
//   v <- beta2 v + (1 - beta2) g^2
//   u = g / (sqrt(v / (1 - beta2^t)) + eps) if rho_t > 4, else g;   u <- u + weight_decay y
// Defaults (the reference's): lr 0.0025, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0, r 0,
// weight_lr_power 2, silent_sgd_phase true.
#include "descent/optim/schedule_free.h"

namespace descent {

class RAdamScheduleFree : public ScheduleFree {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  RAdamScheduleFree(std::vector<ParamGroup> groups,
                    const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
};

}  // namespace descent
