#include "descent/optim/transforms/add_decayed_weights.h"

namespace descent {

bool AddDecayedWeights::apply(std::vector<TransformSlot>& slots) {
  for (TransformSlot& s : slots) {
    const float wd = static_cast<float>(s.group->get("weight_decay"));
    if (wd == 0.0f) continue;
    const float* p = s.param->data();
    for (int64_t i = 0; i < s.numel(); ++i) s.update[i] += wd * p[i];
  }
  return true;
}

}  // namespace descent
