#pragma once
// Adan, adaptive Nesterov momentum (Xie et al. 2022, "Adan: Adaptive Nesterov Momentum Algorithm
// for Faster Optimizing Deep Models"), as the authors' PyTorch code (sail-sg/Adan): three moving
// averages, of the gradient, of its change since the last step, and of the squared
// Nesterov-corrected gradient.
//   g <- -g if maximize;   d = g - g_prev   (0 on the first step)
//   m <- beta1 m + (1 - beta1) g
//   v <- beta2 v + (1 - beta2) d
//   n <- beta3 n + (1 - beta3) (g + beta2 d)^2
//   u = (m / (1 - beta1^t) + beta2 v / (1 - beta2^t)) / (sqrt(n / (1 - beta3^t)) + eps)
//   p <- (p - lr u) / (1 + lr weight_decay)        (the proximal step; no_prox: p (1 - lr wd) - lr
//   u)
// Defaults: lr 1e-3, beta1 0.98, beta2 0.92, beta3 0.99, eps 1e-8, weight_decay 0, no_prox false,
// maximize false. State: exp_avg (m), exp_avg_diff (v), exp_avg_sq (n), pre_grad.
#include "descent/optim/optimizer.h"

namespace descent {

class Adan : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Adan(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
