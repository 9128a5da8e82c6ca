#pragma once
// NAdam (Dozat 2016, "Incorporating Nesterov Momentum into Adam"), PyTorch's form:
//   g <- -g if maximize;   t <- t + 1
//   g <- g + weight_decay * p                       (coupled L2), or, with
//   p <- p (1 - lr weight_decay)                    decoupled_weight_decay (AdamW-style)
//   mu_t = beta1 (1 - 0.5 * 0.96^(t momentum_decay)),  mu_{t+1} likewise
//   P_t = mu_1 mu_2 ... mu_t                        (a running product, kept in float32)
//   m <- beta1 m + (1 - beta1) g
//   v <- beta2 v + (1 - beta2) g^2
//   denom = sqrt(v / (1 - beta2^t)) + eps
//   p <- p - lr (1 - mu_t) / (1 - P_t) * g / denom
//   p <- p - lr mu_{t+1} / (1 - P_t mu_t mu_{t+1}) * m / denom
// (torch 1.13 multiplies mu_t into the second product twice, as written; the paper and torch 2.x
// use 1 - P_t mu_{t+1}. descent follows 1.13, which its golden tests hold it to.)
// Defaults: lr 2e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0, momentum_decay 4e-3,
// decoupled_weight_decay false, maximize false.
// torch 1.13 has neither maximize nor decoupled_weight_decay (torch 2.x added both, in the form
// above); Keras's Nadam uses 0.96^t (momentum_decay 1 in these terms).
#include "descent/optim/optimizer.h"

namespace descent {

class NAdam : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  NAdam(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
