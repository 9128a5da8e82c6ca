#pragma once
// RMSprop (Hinton 2012, lecture 6e; centered form from Graves 2013) in PyTorch 1.13's form, with a
// Keras convention:
//   g <- -g if maximize;   g <- g + weight_decay * p
//   v <- alpha v + (1 - alpha) g^2
//   centered:  m <- alpha m + (1 - alpha) g;   v' = v - m^2,  else v' = v
//   convention=pytorch:  d = sqrt(v') + eps
//     momentum > 0:  b <- momentum b + g / d;   p <- p - lr b
//     else           p <- p - lr g / d
//   convention=keras:    d = sqrt(v' + eps)                     (eps inside the root)
//     momentum > 0:  b <- momentum b + lr g / d;  p <- p - b    (lr inside the buffer)
//     else           p <- p - lr g / d
// Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered false,
// maximize false, convention pytorch. Keras's defaults are lr 1e-3, rho (= alpha) 0.9, eps 1e-7.
#include "descent/optim/optimizer.h"

namespace descent {

class RMSprop : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  RMSprop(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
