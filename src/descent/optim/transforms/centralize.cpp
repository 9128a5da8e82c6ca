#include "descent/optim/transforms/centralize.h"

#include "descent/optim/transforms/per_unit.h"

namespace descent {

bool Centralize::apply(std::vector<TransformSlot>& slots) {
  for (TransformSlot& s : slots) {
    if (s.param->dim() < 2) continue;
    const Units units = units_of(*s.param);
    for (int64_t r = 0; r < units.count; ++r) {
      float* u = s.update + r * units.size;
      double sum = 0;
      for (int64_t i = 0; i < units.size; ++i) sum += u[i];
      const float mean = static_cast<float>(sum / static_cast<double>(units.size));
      for (int64_t i = 0; i < units.size; ++i) u[i] -= mean;
    }
  }
  return true;
}

}  // namespace descent
