#pragma once
// Adamax (Kingma & Ba 2015, section 7.1: Adam with the infinity norm), PyTorch 1.13's form:
//   g <- -g if maximize;   g <- g + weight_decay * p;   t <- t + 1
//   m <- beta1 m + (1 - beta1) g
//   u <- max(beta2 u, |g| + eps)                    (eps inside the max, as PyTorch and optax)
//   p <- p - lr / (1 - beta1^t) * m / u
// Defaults: lr 2e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0, maximize false.
// Keras and ensmallen keep u <- max(beta2 u, |g|) and divide by (u + eps) instead.
#include "descent/optim/optimizer.h"

namespace descent {

class Adamax : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Adamax(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
