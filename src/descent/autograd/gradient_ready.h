#pragma once
// Which parameter gradients backward has finished, as it goes. While a scope is open, each
// Tensor::backward() calls the hook once for every leaf that requires a gradient (a parameter),
// as soon as every node that reads it has run: its gradient is complete, though backward goes
// on. Data-parallel training starts summing a bucket of gradients over the ranks then, so that
// communication overlaps the rest of backward (distributed/gradient_buckets.h).
#include <functional>

#include "descent/tensor/tensor.h"

namespace descent {

using GradientReadyHook = std::function<void(const TensorImpl* leaf)>;

class GradientReadyScope {
 public:
  explicit GradientReadyScope(GradientReadyHook hook);
  ~GradientReadyScope();
  GradientReadyScope(const GradientReadyScope&) = delete;
  GradientReadyScope& operator=(const GradientReadyScope&) = delete;

 private:
  GradientReadyHook* previous_;
  GradientReadyHook hook_;
};

}  // namespace descent
