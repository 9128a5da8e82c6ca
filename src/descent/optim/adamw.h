#pragma once
// AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization"), PyTorch's form:
//   g <- -g if maximize;   t <- t + 1
//   p <- p (1 - lr weight_decay)                    (decoupled: the decay never enters m or v)
//   m <- beta1 m + (1 - beta1) g
//   v <- beta2 v + (1 - beta2) g^2
//   v_max <- max(v_max, v)                          (amsgrad; over the raw v)
//   p <- p - lr / (1 - beta1^t) * m / (sqrt(v or v_max) / sqrt(1 - beta2^t) + eps)
// Defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 1e-2, amsgrad false,
// maximize false, convention pytorch. The convention choice places eps and the bias corrections
// as Adam's does (pytorch, keras, optax, notes: see adam.h); the decay is the same in all.
#include "descent/optim/optimizer.h"

namespace descent {

class AdamW : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  AdamW(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
