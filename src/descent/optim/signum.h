#pragma once
// Signum (Bernstein, Wang, Azizzadenesheli & Anandkumar 2018, "signSGD: Compressed Optimisation
// for Non-Convex Problems"), as the authors' PyTorch code: every entry moves by exactly lr, in the
// direction of its momentum's sign (signSGD when momentum = 0).
//   g <- -g if maximize;   g <- g + weight_decay p   (unless decoupled)
//   m <- momentum m + (1 - momentum) g              (momentum = 0: m <- g)
//   p <- p (1 - lr weight_decay)                    (decoupled only)
//   p <- p - lr sign(m)                             (sign(0) = 0)
// Defaults: lr 1e-3, momentum 0.9, weight_decay 0, decoupled false, maximize false.
#include "descent/optim/optimizer.h"

namespace descent {

class Signum : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Signum(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
