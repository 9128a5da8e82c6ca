#pragma once
// AdEMAMix (Pagliardini, Ablin and Grangier 2024, "The AdEMAMix Optimizer: Better, Faster,
// Older"), as the authors' PyTorch code: Adam with a second, slow momentum (beta3 close to 1)
// that remembers gradients from thousands of steps back, mixed in with weight alpha.
//   g <- -g if maximize
//   m1 <- beta1 m1 + (1 - beta1) g                   (fast, bias-corrected)
//   m2 <- beta3_t m2 + (1 - beta3_t) g               (slow, not bias-corrected)
//   v  <- beta2 v + (1 - beta2) g^2
//   p  <- p - lr ((m1 / (1 - beta1^t) + alpha_t m2) / (sqrt(v / (1 - beta2^t)) + eps)
//                 + weight_decay p)                  (decoupled decay, as AdamW)
// Warmups (0: none): alpha_t rises linearly from 0 to alpha over alpha_warmup steps; beta3_t
// moves from beta1 to beta3 over beta3_warmup steps linearly in the half-life
// f(b) = ln(0.5) / ln(b + 1e-8) - 1, beta3_t = 0.5^(1 / (f_t + 1)).
// Defaults: lr 1e-3, beta1 0.9, beta2 0.999, beta3 0.9999, alpha 5, alpha_warmup 0,
// beta3_warmup 0, eps 1e-8, weight_decay 0, maximize false.
#include "descent/optim/optimizer.h"

namespace descent {

class AdEMAMix : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  AdEMAMix(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
