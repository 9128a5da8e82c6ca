#pragma once
// LaProp (Ziyin, Wang & Ueda 2020, "LaProp: Separating Momentum and Adaptivity in Adam"), as the
// authors' code: the gradient is divided by its RMS first and the momentum taken of that, so
// momentum and adaptivity no longer interact (any beta1 < 1 works with any beta2). The learning
// rate enters the momentum, and its bias correction follows the lr actually used:
//   g <- -g if maximize
//   v <- beta2 v + (1 - beta2) g^2
//   L <- beta1 L + (1 - beta1) lr                 (L starts at 0; with a constant lr,
//                                                  L / lr = 1 - beta1^t)
//   m <- beta1 m + (1 - beta1) lr g / (sqrt(v / (1 - beta2^t)) + eps)
//   p <- p - m / (L / lr)                         (L / lr taken as 1 when lr = 0)
//   p <- p - weight_decay p                       (decoupled, after the step, and not scaled by
//                                                  lr, as in the authors' code)
// Defaults: lr 4e-4, beta1 0.9, beta2 0.999, eps 1e-15, weight_decay 0, maximize false.
#include "descent/optim/optimizer.h"

namespace descent {

class LaProp : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  LaProp(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
