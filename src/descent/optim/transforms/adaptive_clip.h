#pragma once
// adaptive_grad_clip: adaptive gradient clipping (Brock et al. 2021, "High-Performance
// Large-Scale Image Recognition Without Normalization"; optax's adaptive_grad_clip), unit by unit
// (a row of [out, ...], or an element of a vector):
//   limit = clipping * max(||p_r||, eps)
//   u_r <- u_r * limit / max(||u_r||, 1e-6)   where ||u_r|| > limit; unchanged elsewhere
// Defaults: clipping 0.01 (the paper's value for large batches), eps 1e-3 (the paper's and
// optax's; it keeps zero-initialized weights from freezing).
#include "descent/optim/transforms/transform.h"

namespace descent {

class AdaptiveGradClip : public Transform {
 public:
  AdaptiveGradClip(double clipping, double eps) : clipping_(clipping), eps_(eps) {}
  bool apply(std::vector<TransformSlot>& slots) override;

 private:
  double clipping_, eps_;
};

}  // namespace descent
