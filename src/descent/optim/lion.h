#pragma once
// Lion, "EvoLved Sign Momentum" (Chen et al. 2023, "Symbolic Discovery of Optimization
// Algorithms"), as in the paper's Algorithm 2, lucidrains' lion-pytorch, optax and Keras:
//   g <- -g if maximize
//   u = sign(beta1 m + (1 - beta1) g)                 (sign(0) = 0, as torch.sign)
//   p <- p - lr (u + weight_decay p)                  (decoupled: p <- (1 - lr wd) p - lr u)
//   m <- beta2 m + (1 - beta2) g                      (m updated after u: two betas)
// Defaults: lr 1e-4, beta1 0.9, beta2 0.99, weight_decay 0, maximize false.
// Every update entry has magnitude exactly lr (before weight decay), so lr is typically 3-10x
// smaller than AdamW's and weight_decay 3-10x larger for the same effective regularisation.
#include "descent/optim/optimizer.h"

namespace descent {

class Lion : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Lion(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
