#pragma once
// SGDP (Heo et al. 2021, with AdamP; the authors' clovaai/AdamP): SGD with momentum whose update
// loses its radial part on weights that look scale-invariant (scale_invariant_projection.h):
//   b <- mu b + (1 - dampening) g;   d <- g + mu b if nesterov, else b
//   d, r <- project(p, g, d)                        (r = wd_ratio if projected, else 1)
//   p <- p (1 - lr weight_decay r / (1 - mu));   p <- p - lr d
// The decay is divided by 1 - mu as in the authors' code (the decay a momentum buffer would
// accumulate). Defaults (the authors', lr aside, which they require): lr 1e-3, momentum 0,
// dampening 0, weight_decay 0, nesterov false, eps 1e-8, delta 0.1, wd_ratio 0.1.
#include "descent/optim/optimizer.h"

namespace descent {

class SGDP : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  SGDP(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }

 private:
  std::vector<float> g_, d_;
};

}  // namespace descent
