#pragma once
// scale_by_optimizer: any per-parameter optimizer's step as a transform (optax's scale_by_adam,
// scale_by_rms, ... for all of them at once): the base optimizer takes its step from the current
// parameters with lr = 1 on a copy, and the update becomes the step it took:
//   q <- p;  base.update(q, u) with lr 1;  u <- p - q
// so chain:transforms=[scale_by_optimizer:base=adam],lr=0.001 is adam:lr=0.001 (to float32
// rounding of p - q, which is exact to about 1e-7 of max(|p|, |u|)). The base keeps its state
// (moments, step count) in the chain's state under the transform's prefix. SPEC:
// "scale_by_optimizer:base=adam,betas=(0.9,0.99)": keys other than base go to the base; lr is the
// chain's, so the base refuses one. Bases with their own step() over all parameters (lbfgs,
// prodigy, the wrappers) are refused.
#include <memory>
#include <string>
#include <vector>

#include "descent/optim/transforms/transform.h"
#include "descent/util/spec.h"

namespace descent {

class ScaleByOptimizer : public Transform {
 public:
  // base_hyperparams: the base's hyper-parameters (the rest its defaults); lr is set to 1.
  ScaleByOptimizer(const std::string& base, Hyperparams base_hyperparams);
  static std::unique_ptr<Transform> from_args(SpecArgs& args);

  bool apply(std::vector<TransformSlot>& slots) override;

 private:
  std::unique_ptr<Optimizer> base_;  // over no parameters: its update() and its group's options
  std::vector<Tensor> copies_;       // q, one per parameter index, reused from step to step
};

}  // namespace descent
