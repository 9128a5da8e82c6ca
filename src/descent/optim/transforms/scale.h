#pragma once
// Rescaling transforms (optax's):
//   scale:step_size=s   u <- s u   (a negative s ascends; the chain's lr is the usual step size)
//   scale_by_sign       u <- sign(u), 0 staying 0 (signSGD; with momentum before it, Signum)
#include "descent/optim/transforms/transform.h"

namespace descent {

class Scale : public Transform {
 public:
  explicit Scale(double step_size) : step_size_(step_size) {}
  bool apply(std::vector<TransformSlot>& slots) override;

 private:
  double step_size_;
};

class ScaleBySign : public Transform {
 public:
  bool apply(std::vector<TransformSlot>& slots) override;
};

}  // namespace descent
