#include "descent/optim/transforms/scale.h"

namespace descent {

bool Scale::apply(std::vector<TransformSlot>& slots) {
  const float s = static_cast<float>(step_size_);
  for (TransformSlot& slot : slots)
    for (int64_t i = 0; i < slot.numel(); ++i) slot.update[i] *= s;
  return true;
}

bool ScaleBySign::apply(std::vector<TransformSlot>& slots) {
  for (TransformSlot& slot : slots)
    for (int64_t i = 0; i < slot.numel(); ++i) {
      const float u = slot.update[i];
      slot.update[i] = u > 0 ? 1.0f : (u < 0 ? -1.0f : u);  // NaN stays NaN
    }
  return true;
}

}  // namespace descent
