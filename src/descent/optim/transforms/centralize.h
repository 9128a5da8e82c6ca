#pragma once
// centralize: gradient centralization (Yong et al. 2020, "Gradient Centralization: A New
// Optimization Technique for Deep Neural Networks"; optax's centralize): for parameters of 2 or
// more dimensions, each unit's updates (a row of [out, ...]: one output's incoming weights) lose
// their mean:  u_r <- u_r - mean(u_r). Vectors and scalars (biases, gains) pass unchanged.
#include "descent/optim/transforms/transform.h"

namespace descent {

class Centralize : public Transform {
 public:
  bool apply(std::vector<TransformSlot>& slots) override;
};

}  // namespace descent
