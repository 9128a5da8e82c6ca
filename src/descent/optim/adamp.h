#pragma once
// AdamP (Heo et al. 2021, "AdamP: Slowing Down the Slowdown for Momentum Optimizers on
// Scale-invariant Weights"; the authors' clovaai/AdamP): Adam whose update loses its radial part
// on weights that look scale-invariant (scale_invariant_projection.h), with decoupled decay:
//   m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
//   d <- m / (sqrt(v) / sqrt(1 - b2^t) + eps)      (nesterov: (b1 m + (1 - b1) g) / (...))
//   d, r <- project(p, g, d)                        (r = wd_ratio if projected, else 1)
//   p <- p (1 - lr weight_decay r);   p <- p - lr / (1 - b1^t) d
// Defaults (the authors'): lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, delta 0.1,
// wd_ratio 0.1, nesterov false. maximize (not in the reference) negates the gradient first.
// weight_decay_form keras/independent decay without wd_ratio (the base class applies them).
#include "descent/optim/optimizer.h"

namespace descent {

class AdamP : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  AdamP(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }

 private:
  std::vector<float> g_, d_;  // the (maximize-signed) gradient and the update, reused
};

}  // namespace descent
