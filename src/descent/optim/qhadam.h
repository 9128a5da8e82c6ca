#pragma once
// QHAdam (Ma & Yarats 2019, "Quasi-hyperbolic momentum and Adam for deep learning"), as the
// authors' qhoptim: Adam whose numerator and denominator are each a nu-weighted average of the
// bias-corrected moment and the current gradient (nu1 = nu2 = 1 is Adam; nu2 = 1, beta1 = 0 is
// RMSprop-like).
//   g <- -g if maximize;   g <- g + weight_decay p   (unless decoupled)
//   w1 <- 1 + beta1 w1;  w2 <- 1 + beta2 w2        (w start at 0: w = sum of beta^i, i < t)
//   m <- m + (g - m) / w1;  v <- v + (g^2 - v) / w2 (the bias-corrected averages themselves)
//   p <- p (1 - lr weight_decay)                    (decoupled only)
//   p <- p - lr ((1 - nu1) g + nu1 m) / (sqrt((1 - nu2) g^2 + nu2 v) + eps)
// Defaults (the paper's recommendation): lr 1e-3, beta1 0.995, beta2 0.999, nu1 0.7, nu2 1,
// eps 1e-8, weight_decay 0, decoupled false, maximize false.
#include "descent/optim/optimizer.h"

namespace descent {

class QHAdam : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  QHAdam(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
