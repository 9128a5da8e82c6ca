#pragma once
// Appends one JSON object per epoch to a metrics.jsonl file, flushed at once so that a run that
// dies keeps every finished epoch.
#include <filesystem>
#include <fstream>

#include "descent/train/callback.h"

namespace descent {

class MetricsLog : public Callback {
 public:
  explicit MetricsLog(const std::filesystem::path& path);
  void on_epoch_end(TrainState& state, EpochMetrics& m) override;

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace descent
