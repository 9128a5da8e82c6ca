#pragma once
// Adadelta (Zeiler 2012) in PyTorch 1.13's form:
//   g <- -g if maximize;   g <- g + weight_decay * p
//   v <- rho v + (1 - rho) g^2
//   delta = sqrt(u + eps) / sqrt(v + eps) * g           (eps inside both roots)
//   u <- rho u + (1 - rho) delta^2
//   p <- p - lr * delta
// Defaults: lr 1.0, rho 0.9, eps 1e-6, weight_decay 0, maximize false. Keras uses the same update
// with lr 1e-3 and rho 0.95 by default; the paper has no lr (lr = 1).
#include "descent/optim/optimizer.h"

namespace descent {

class Adadelta : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Adadelta(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
