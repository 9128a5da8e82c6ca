#include "descent/optim/transforms/clip.h"

#include <algorithm>
#include <cmath>

namespace descent {

namespace {

void scale_updates(TransformSlot& s, double factor) {
  const float f = static_cast<float>(factor);
  for (int64_t i = 0; i < s.numel(); ++i) s.update[i] *= f;
}

}  // namespace

bool ClipByGlobalNorm::apply(std::vector<TransformSlot>& slots) {
  const double norm = std::sqrt(squared_norm(slots));
  if (norm < max_norm_) return true;
  for (TransformSlot& s : slots) scale_updates(s, max_norm_ / norm);
  return true;
}

bool ClipByValue::apply(std::vector<TransformSlot>& slots) {
  const float d = static_cast<float>(max_delta_);
  for (TransformSlot& s : slots)
    for (int64_t i = 0; i < s.numel(); ++i) s.update[i] = std::clamp(s.update[i], -d, d);
  return true;
}

bool ClipByBlockRms::apply(std::vector<TransformSlot>& slots) {
  for (TransformSlot& s : slots) {
    const double rms = std::sqrt(sum_squares(s.update, s.numel()) /
                                 static_cast<double>(std::max<int64_t>(s.numel(), 1)));
    scale_updates(s, 1.0 / std::max(1.0, rms / threshold_));
  }
  return true;
}

}  // namespace descent
