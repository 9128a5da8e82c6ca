#pragma once
// Rprop (Riedmiller & Braun 1993), the variant without weight backtracking, in PyTorch 1.13's form.
// Per element, with s the step size (starting at lr) and g' the previous (possibly zeroed)
// gradient:
//   g <- -g if maximize
//   s <- clamp(s * eta_plus,  step_size_min, step_size_max)   if g g' > 0
//   s <- clamp(s * eta_minus, step_size_min, step_size_max)   if g g' < 0, and then g <- 0
//   s unchanged                                               if g g' = 0
//   p <- p - sign(g) * s;   g' <- g
// Defaults: lr 1e-2, eta_minus 0.5, eta_plus 1.2, step_size_min 1e-6, step_size_max 50,
// maximize false. Needs 0 < eta_minus < 1 < eta_plus. Full-batch only: the sign test assumes the
// gradient is exact. lr is read once, when a parameter's state is created.
#include "descent/optim/optimizer.h"

namespace descent {

class Rprop : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Rprop(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
