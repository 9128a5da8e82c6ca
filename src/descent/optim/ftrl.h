#pragma once
// FTRL-Proximal (McMahan et al. 2013, "Ad Click Prediction: a View from the Trenches", Algorithm
// 1), as Keras' Ftrl: follow the regularized leader with per-coordinate learning rates; the L1
// term sets weights exactly to zero (sparse models). Per entry, with n the accumulator and z the
// "linear" state:
//   g <- -g if maximize;   h = g + 2 l2_shrinkage p
//   n' = n + g^2
//   z <- z + h - (n'^(-lr_power) - n^(-lr_power)) / lr p
//   q = n'^(-lr_power) / lr + 2 (l2 + beta / (2 lr))
//   p <- (clip(z, -l1, l1) - z) / q;   n <- n'
// n starts at initial_accumulator_value, z at 0. Defaults (Keras'): lr 1e-3, lr_power -0.5,
// initial_accumulator_value 0.1, l1 0, l2 0, l2_shrinkage 0, beta 0, maximize false.
#include "descent/optim/optimizer.h"

namespace descent {

class Ftrl : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Ftrl(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
