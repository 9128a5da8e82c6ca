#pragma once
// Adam (Kingma & Ba 2015) in PyTorch's form, with AMSGrad and coupled L2 weight decay:
//   g <- -g if maximize;   g <- g + weight_decay * p;   t <- t + 1
//   m <- beta1 m + (1 - beta1) g
//   v <- beta2 v + (1 - beta2) g^2
//   v_max <- max(v_max, v)                          (amsgrad; the max is over the raw v)
//   denom = sqrt(v or v_max) / sqrt(1 - beta2^t) + eps     (eps outside the bias correction)
//   p <- p - lr / (1 - beta1^t) * m / denom
// Defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0, amsgrad false.
#include "descent/optim/optimizer.h"

namespace descent {

class Adam : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Adam(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
};

}  // namespace descent
