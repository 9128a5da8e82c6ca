#include "descent/optim/transforms/skip.h"

#include <cmath>

namespace descent {
namespace {

// Counts the skip in every parameter's state (the same number in each) and ends the step.
bool skip(std::vector<TransformSlot>& slots) {
  for (TransformSlot& s : slots) s.scalar("skipped") += 1;
  return false;
}

// Creates the count at 0 where it is new, so a state without skips is complete.
bool keep(std::vector<TransformSlot>& slots) {
  for (TransformSlot& s : slots) s.scalar("skipped");
  return true;
}

}  // namespace

bool SkipNonFinite::apply(std::vector<TransformSlot>& slots) {
  for (const TransformSlot& s : slots)
    for (int64_t i = 0; i < s.numel(); ++i)
      if (!std::isfinite(s.update[i])) return skip(slots);
  return keep(slots);
}

bool SkipLargeUpdates::apply(std::vector<TransformSlot>& slots) {
  const double sq = squared_norm(slots);
  if (!(sq <= max_squared_norm_)) return skip(slots);
  return keep(slots);
}

}  // namespace descent
