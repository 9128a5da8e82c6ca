#pragma once
// Schedule-free AdamW (Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky 2024, "The Road Less
// Scheduled"; facebookresearch/schedule_free's AdamWScheduleFree). Three sequences per parameter:
// z (the SGD-like base sequence), x (the weighted average of z, used for evaluation) and
// y = (1 - beta1) z + beta1 x, where gradients are taken and which the parameter holds in
// training. With k counting steps from 0:
//   sched  = (k + 1) / warmup_steps  if k < warmup_steps, else 1
//   lr_k   = lr * sched * sqrt(1 - beta2^(k+1))
//   lr_max = max(lr_max, lr_k);  w = (k + 1)^r * lr_max^weight_lr_power;  W += w;  c = w / W
//   v <- beta2 v + (1 - beta2) g^2
//   u <- g / (sqrt(v) + eps) + weight_decay y            (decay taken at y)
//   z <- z - lr_k u
//   x <- (1 - c) x + c z
//   y <- (1 - beta1) z + beta1 x                         (written into the parameter)
// z and x start at the initial parameter. Defaults (the reference's): lr 0.0025, beta1 0.9,
// beta2 0.999, eps 1e-8, weight_decay 0, warmup_steps 0, r 0, weight_lr_power 2.
// The reference keeps only z and y and moves the parameter with lerps; x is kept here, so
// switching between y and x is exact. Call eval_params() before evaluating or saving weights
// (the parameter then holds x) and train_params() before training again; step() refuses to run
// in eval mode. lr_max, the weight sum and k are per parameter here (per group in the reference;
// the same while every parameter gets a gradient at every step).
#include "descent/optim/optimizer.h"

namespace descent {

class AdamWScheduleFree : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  AdamWScheduleFree(std::vector<ParamGroup> groups,
                    const Hyperparams& defaults = default_hyperparams());

  void eval_params();   // parameters <- x (the averaged weights); no-op if already there
  void train_params();  // parameters <- y = (1 - beta1) z + beta1 x; no-op if already there

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;

 private:
  void switch_params(bool to_eval);
};

}  // namespace descent
