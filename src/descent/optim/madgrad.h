#pragma once
// MADGRAD (Defazio & Jelassi 2021, "Adaptivity without Compromise: A Momentumized, Adaptive, Dual
// Averaged Gradient Method for Stochastic Optimization"), as the authors' madgrad 1.2: dual
// averaging from the starting point x0 with a cube-root AdaGrad-like scaling, and momentum as an
// average of the iterates. With k the number of steps taken before this one:
//   g <- -g if maximize;   g <- g + weight_decay p   (unless decoupled)
//   a = lr + eps (0 when lr = 0);   lambda = a sqrt(k + 1)
//   nu <- nu + lambda g^2;   s <- s + lambda g
//   z = x0 - s / (cbrt(nu) + eps)
//   p <- p (1 - a weight_decay)                     (decoupled only)
//   p <- momentum p + (1 - momentum) z
// x0 is the parameter at the first step. Defaults: lr 1e-2, momentum 0.9, weight_decay 0,
// eps 1e-6, decoupled false, maximize false.
#include "descent/optim/optimizer.h"

namespace descent {

class Madgrad : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Madgrad(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
