#pragma once
// NovoGrad (Ginsburg et al. 2019, "Stochastic Gradient Methods with Layer-wise Adaptive Moments
// for Training of Deep Networks"), as NVIDIA's PyTorch code: the second moment is one number per
// parameter tensor (its squared gradient norm), the gradient is normalized by it before momentum,
// and weight decay is added after the normalization.
//   g <- -g if maximize;   q = sum(g^2) over the tensor
//   v <- q on the first step, else beta2 v + (1 - beta2) q        (a scalar per tensor)
//   u = g / (sqrt(v) + eps) + weight_decay p
//   u <- (1 - beta1) u                              (grad_averaging only)
//   m <- beta1 m + u
//   p <- p - lr m
// Defaults: lr 1e-3, beta1 0.95, beta2 0.98, eps 1e-8, weight_decay 0, grad_averaging false,
// maximize false.
#include "descent/optim/optimizer.h"

namespace descent {

class NovoGrad : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  NovoGrad(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
