#pragma once
// Adafactor (Shazeer & Stern 2018), as PyTorch 2.5's torch.optim.Adafactor defines it (torch
// 1.13 has no Adafactor). Per parameter, with t the step count:
//   g <- -g if maximize;   t <- t + 1
//   beta2_t = 1 - t^beta2_decay                     (so 1 - beta2_t = t^beta2_decay; 1 at t = 1)
//   rho_t = min(lr, 1 / sqrt(t))
//   alpha_t = max(eps2, RMS(p)) rho_t               RMS(p) = ||p||_2 / sqrt(numel), before decay
//   p <- p (1 - lr weight_decay)                    (decoupled; lr, not rho_t, as PyTorch)
//   matrices (dim >= 2; leading dimensions are a batch of [R, C] matrices), factored:
//     R_i <- lerp(R_i, mean_j g_ij^2, 1 - beta2_t)  row_var, shape [..., R, 1]
//     C_j <- lerp(C_j, mean_i g_ij^2, 1 - beta2_t)  col_var, shape [..., 1, C]
//     V_ij = R_i C_j / max(mean_i R_i, eps1)
//   vectors and scalars, full:
//     V <- lerp(V, g^2, 1 - beta2_t)                variance
//   U = g / sqrt(max(V, eps1^2))
//   p <- p - alpha_t / max(1, RMS(U) / d) * U       (update clipping by d)
// Defaults: lr 1e-2, beta2_decay -0.8, eps1 = float32's machine epsilon (PyTorch's None),
// eps2 1e-3, d 1.0, weight_decay 0, maximize false. There is no first moment (PyTorch's has
// none either), and lr is used only as the cap of the relative step size rho_t.
// The clipping needs RMS(U) before any element of p changes, and alpha_t needs RMS(p): the
// update reads g three times (moments and RMS(p); RMS(U); the step), with no temporary tensor.
#include "descent/optim/optimizer.h"

namespace descent {

class Adafactor : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Adafactor(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
};

}  // namespace descent
