#pragma once
// QHM, quasi-hyperbolic momentum (Ma & Yarats 2019, "Quasi-hyperbolic momentum and Adam for deep
// learning"), as the authors' qhoptim: the step is a nu-weighted average of the plain gradient
// and a normalized momentum. nu = 1 is SGD with normalized momentum, nu = 0 plain SGD; nu = beta
// is Nesterov's momentum.
//   g <- -g if maximize;   g <- g + weight_decay p   (unless decoupled)
//   m <- beta m + (1 - beta) g
//   p <- p (1 - lr weight_decay)                    (decoupled only)
//   p <- p - lr ((1 - nu) g + nu m)
// Defaults (the paper's recommendation): lr 0.01, beta 0.999, nu 0.7, weight_decay 0,
// decoupled false, maximize false.
#include "descent/optim/optimizer.h"

namespace descent {

class QHM : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  QHM(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
