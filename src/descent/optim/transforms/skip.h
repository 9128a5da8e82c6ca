#pragma once
// Transforms that give up a step (optax's apply_if_finite and skip_large_updates, as chain
// steps): when one fires, the parameters stay as they are and the transforms after it do not run,
// so their state is untouched; those before it have run. First in a chain, they skip the whole
// step. Each counts the steps it skipped (its scalar "skipped").
//   skip_non_finite                       fires when any update is NaN or infinite
//   skip_large_updates:max_squared_norm=S fires when the squared 2-norm of every update is above S
//                                         (or is NaN)
#include "descent/optim/transforms/transform.h"

namespace descent {

class SkipNonFinite : public Transform {
 public:
  bool apply(std::vector<TransformSlot>& slots) override;
};

class SkipLargeUpdates : public Transform {
 public:
  explicit SkipLargeUpdates(double max_squared_norm) : max_squared_norm_(max_squared_norm) {}
  bool apply(std::vector<TransformSlot>& slots) override;

 private:
  double max_squared_norm_;
};

}  // namespace descent
