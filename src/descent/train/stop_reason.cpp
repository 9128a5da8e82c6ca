#include "descent/train/stop_reason.h"

namespace descent {

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::Completed:
      return "completed";
    case StopReason::EarlyStopping:
      return "early_stopping";
    case StopReason::Interrupted:
      return "interrupted";
    case StopReason::NonFinite:
      return "non_finite";
    case StopReason::Diverged:
      return "diverged";
  }
  return "unknown";
}

}  // namespace descent
