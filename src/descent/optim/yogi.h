#pragma once
// Yogi (Zaheer et al. 2018, "Adaptive Methods for Nonconvex Optimization"), in the form of the
// PyTorch reference torch-optimizer (jettify/pytorch-optimizer) Yogi:
//   m, v start at initial_accumulator (both, as the reference and TF Addons do)
//   g <- -g if maximize;  g <- g + weight_decay p (coupled L2);  t <- t + 1
//   m <- beta1 m + (1 - beta1) g
//   v <- v - (1 - beta2) sign(v - g^2) g^2        (additive: v moves by at most (1 - beta2) g^2)
//   p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// Defaults: lr 1e-2, beta1 0.9, beta2 0.999, eps 1e-3, initial_accumulator 1e-6, weight_decay 0,
// maximize false. Bias correction is Adam's (as in the reference); the paper's Algorithm 2 and
// optax omit it (and optax starts m at 0).
#include "descent/optim/optimizer.h"

namespace descent {

class Yogi : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Yogi(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
