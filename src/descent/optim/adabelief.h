#pragma once
// AdaBelief (Zhuang et al. 2020, "AdaBelief Optimizer: Adapting Stepsizes by the Belief in
// Observed Gradients"), in the form of the reference adabelief-pytorch 0.2:
//   g <- -g if maximize;  t <- t + 1
//   p <- (1 - lr weight_decay) p                    if decoupled_weight_decay (before the step)
//   g <- g + weight_decay p                          otherwise (coupled L2)
//   m <- beta1 m + (1 - beta1) g
//   s <- beta2 s + (1 - beta2) (g - m)^2 + eps       (g - m with the new m; eps stored in s)
//   s_max <- max(s_max, s)                           (amsgrad)
//   p <- p - lr / (1 - beta1^t) * m / (sqrt(s or s_max) / sqrt(1 - beta2^t) + eps)
// rectify (RAdam's variance rectification, as in the reference; it costs scalars only):
//   rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
//   rho_t >= 5: p <- p - lr r_t sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(s or s_max) + eps),
//               r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
//   otherwise:  p <- p - lr / (1 - beta1^t) * m      (the reference's degenerated_to_sgd=True)
// Defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-16, weight_decay 0,
// decoupled_weight_decay true, amsgrad false, rectify false, maximize false.
// rectify defaults to false, the paper's Algorithm 1; adabelief-pytorch 0.2 defaults to
// rectify=True. With amsgrad and rectify the reference divides by s, not s_max; we use s_max.
#include "descent/optim/optimizer.h"

namespace descent {

class AdaBelief : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  AdaBelief(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
