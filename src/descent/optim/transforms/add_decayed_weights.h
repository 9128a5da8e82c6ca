#pragma once
// add_decayed_weights (optax's): u <- u + weight_decay p, with the chain's weight_decay, a group
// hyper-parameter, so that parameter groups (no_weight_decay) and schedules apply to it. Where it
// stands in the chain decides the form: after a preconditioner (scale_by_optimizer:base=adam)
// it is AdamW's decoupled decay, times lr; before one, it is an L2 gradient term that the
// preconditioner rescales (Adam's coupled weight_decay).
#include "descent/optim/transforms/transform.h"

namespace descent {

class AddDecayedWeights : public Transform {
 public:
  bool apply(std::vector<TransformSlot>& slots) override;
};

}  // namespace descent
