#pragma once
// AdaBound and AMSBound (Luo, Xiong, Liu & Sun 2019, "Adaptive Gradient Methods with Dynamic
// Bound of Learning Rate"), as the authors' code: Adam whose per-entry step size is clipped into
// bounds that both converge to final_lr, so training moves from Adam towards SGD.
//   g <- -g if maximize;   g <- g + weight_decay p
//   m <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2
//   v_max <- max(v_max, v)                          (amsbound only; then v_max replaces v)
//   f = final_lr lr / base_lr                       (base_lr: the group's lr when the optimizer
//                                                    was made, so a schedule scales the bounds;
//                                                    saved with the state)
//   lower = f (1 - 1 / (gamma t + 1));   upper = f (1 + 1 / (gamma t))
//   p <- p - clamp(lr sqrt(1 - beta2^t) / (1 - beta1^t) / (sqrt(v) + eps), lower, upper) m
// Defaults: lr 1e-3, beta1 0.9, beta2 0.999, final_lr 0.1, gamma 1e-3, eps 1e-8,
// weight_decay 0, amsbound false, maximize false.
#include "descent/optim/optimizer.h"

namespace descent {

class AdaBound : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  AdaBound(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
