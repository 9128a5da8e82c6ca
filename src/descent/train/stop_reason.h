#pragma once
// Why training ended, as summary.json and the console name it.
#include <ostream>
#include <string>

namespace descent {

enum class StopReason {
  Completed,      // every epoch ran
  EarlyStopping,  // the monitored metric stopped improving (callbacks/early_stopping.h)
  Interrupted,    // Ctrl-C: a checkpoint to resume from, no summary
  NonFinite,      // a NaN or Inf loss or gradient (train.on_non_finite = "stop")
  Diverged,       // the loss exploded, or a classifier stayed at chance (callbacks/divergence.h)
};

// "completed", "early_stopping", "interrupted", "non_finite", "diverged".
const char* to_string(StopReason reason);
inline std::ostream& operator<<(std::ostream& os, StopReason r) { return os << to_string(r); }

}  // namespace descent
