#pragma once
// LAMB, layer-wise adaptive moments (You et al. 2019, "Large Batch Optimization for Deep
// Learning: Training BERT in 76 minutes"), Algorithm 2 with Adam's bias correction:
//   g <- -g if maximize;  t <- t + 1
//   m <- beta1 m + (1 - beta1) g
//   v <- beta2 v + (1 - beta2) g^2
//   r = m / (1 - beta1^t) / (sqrt(v / (1 - beta2^t)) + eps) + weight_decay p   (bias_correction)
//   r = m / (sqrt(v) + eps) + weight_decay p                                 (no bias_correction)
//   w = min(||p||, 10) if clamp_weight_norm, else ||p||     (phi of the paper; norms per tensor)
//   ratio = w / ||r||, or 1 when w or ||r|| is 0
//   p <- p - lr ratio r
// Defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-6, weight_decay 0, bias_correction true,
// clamp_weight_norm true, maximize false. Weight decay is decoupled (added to the update, not the
// gradient, so it does not enter m and v), as in the paper. The clamp of ||p|| to [0, 10] is that
// of cybertronai's pytorch-lamb (which has no bias correction; bias_correction=false gives it).
// Two passes per parameter: the first updates m and v and sums ||p||^2 and ||r||^2 (in double),
// the second recomputes r from m and v and applies it.
#include "descent/optim/optimizer.h"

namespace descent {

class Lamb : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Lamb(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

  static constexpr double kWeightNormClamp = 10.0;

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
