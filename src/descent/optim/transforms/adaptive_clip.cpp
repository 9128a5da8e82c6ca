#include "descent/optim/transforms/adaptive_clip.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/transforms/per_unit.h"
#include "descent/util/sum_squares.h"

namespace descent {
namespace {

double norm_of(const float* x, int64_t n) { return std::sqrt(sum_squares(x, n)); }

}  // namespace

bool AdaptiveGradClip::apply(std::vector<TransformSlot>& slots) {
  for (TransformSlot& s : slots) {
    const Units units = units_of(*s.param);
    const float* p = s.param->data();
    for (int64_t r = 0; r < units.count; ++r) {
      float* u = s.update + r * units.size;
      const double limit = clipping_ * std::max(norm_of(p + r * units.size, units.size), eps_);
      const double norm = norm_of(u, units.size);
      if (norm <= limit) continue;
      const float factor = static_cast<float>(limit / std::max(norm, 1e-6));
      for (int64_t i = 0; i < units.size; ++i) u[i] *= factor;
    }
  }
  return true;
}

}  // namespace descent
