#pragma once
// RAdam (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and Beyond"),
// PyTorch's form:
//   g <- -g if maximize;   t <- t + 1
//   g <- g + weight_decay * p                       (coupled L2), or, with
//   p <- p (1 - lr weight_decay)                    decoupled_weight_decay (AdamW-style)
//   m <- beta1 m + (1 - beta1) g
//   v <- beta2 v + (1 - beta2) g^2
//   m_hat = m / (1 - beta1^t)
//   rho_inf = 2 / (1 - beta2) - 1;   rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
//   if rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
//                  p <- p - lr m_hat r sqrt(1 - beta2^t) / (sqrt(v) + eps)
//   else:          p <- p - lr m_hat                (SGD with momentum while v is unreliable)
// Defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0,
// decoupled_weight_decay false, maximize false. With beta2 0.999, rho_t passes 5 at step 6.
// torch 1.13 has neither maximize nor decoupled_weight_decay (torch 2.x added both, as above).
#include "descent/optim/optimizer.h"

namespace descent {

class RAdam : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  RAdam(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
