#pragma once
// Clipping transforms, as optax defines them (u: the updates; ||.||: the 2-norm):
//   clip_by_global_norm:max_norm=M   if ||u|| over every parameter >= M: u <- u M / ||u||
//   clip_by_value:max_delta=D        u <- min(max(u, -D), D), element by element (optax's clip)
//   clip_by_block_rms:threshold=T    per parameter: u <- u / max(1, rms(u) / T)
// clip_by_global_norm has no eps, unlike PyTorch's clip_grad_norm_ (max_norm / (norm + 1e-6)),
// which the trainer's train.clip_grad_norm follows.
#include "descent/optim/transforms/transform.h"

namespace descent {

class ClipByGlobalNorm : public Transform {
 public:
  explicit ClipByGlobalNorm(double max_norm) : max_norm_(max_norm) {}
  bool apply(std::vector<TransformSlot>& slots) override;

 private:
  double max_norm_;
};

class ClipByValue : public Transform {
 public:
  explicit ClipByValue(double max_delta) : max_delta_(max_delta) {}
  bool apply(std::vector<TransformSlot>& slots) override;

 private:
  double max_delta_;
};

class ClipByBlockRms : public Transform {
 public:
  explicit ClipByBlockRms(double threshold) : threshold_(threshold) {}
  bool apply(std::vector<TransformSlot>& slots) override;

 private:
  double threshold_;
};

}  // namespace descent
