#pragma once
// AggMo, aggregated momentum (Lucas, Sun, Zemel & Grosse 2019, "Aggregated Momentum: Stability
// Through Passive Damping"), as the authors' code: three heavy-ball velocities with different
// damping, averaged. The small betas damp the oscillations the large one causes.
//   g <- -g if maximize;   g <- g + weight_decay p   (unless decoupled)
//   v_k <- beta_k v_k + g                           (k = 1, 2, 3)
//   p <- p (1 - lr weight_decay)                    (decoupled only)
//   p <- p - (lr / 3) (v_1 + v_2 + v_3)
// Defaults (the paper's): lr 0.1, beta1 0, beta2 0.9, beta3 0.99, weight_decay 0,
// decoupled false, maximize false. betas = (0, 0.9, 0.99) sets all three.
#include "descent/optim/optimizer.h"

namespace descent {

class AggMo : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  AggMo(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
