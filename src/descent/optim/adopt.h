#pragma once
// ADOPT (Taniguchi et al. 2024, "ADOPT: Modified Adam Can Converge with Any beta2 with the Optimal
// Rate"), as the authors' PyTorch code (with its clipping, the default since its Nov 2024 update):
// Adam with the current gradient left out of its own normalization, and momentum taken of the
// normalized gradient.
//   g <- -g if maximize;   g <- g + weight_decay p   (unless decoupled)
//   first step:   v <- g^2                          (no update)
//   later steps (t = 1, 2, ... counting from the second):
//     p <- p (1 - lr weight_decay)                  (decoupled only)
//     u = clip(g / max(sqrt(v), eps), t^0.25)       (clip = false: unclipped, the paper's v1)
//     m <- beta1 m + (1 - beta1) u
//     p <- p - lr m
//     v <- beta2 v + (1 - beta2) g^2
// Defaults: lr 1e-3, beta1 0.9, beta2 0.9999, eps 1e-6, weight_decay 0, decoupled false,
// clip true, maximize false.
#include "descent/optim/optimizer.h"

namespace descent {

class Adopt : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Adopt(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
