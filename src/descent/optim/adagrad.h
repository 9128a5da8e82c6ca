#pragma once
// Adagrad (Duchi, Hazan & Singer 2011) in PyTorch 1.13's form, with a Keras convention:
//   g <- -g if maximize;   g <- g + weight_decay * p;   t <- t + 1
//   clr = lr / (1 + (t - 1) * lr_decay)
//   s <- s + g^2                         (s starts at initial_accumulator_value)
//   p <- p - clr * g / (sqrt(s) + eps)         convention=pytorch
//   p <- p - clr * g / sqrt(s + eps)           convention=keras (eps inside the root)
// Defaults: lr 1e-2, lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10,
// maximize false, convention pytorch. Keras's own defaults differ (initial accumulator 0.1,
// eps 1e-7, lr 1e-3) and Keras has no lr_decay; pass them explicitly to reproduce a Keras run.
#include "descent/optim/optimizer.h"

namespace descent {

class Adagrad : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Adagrad(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
