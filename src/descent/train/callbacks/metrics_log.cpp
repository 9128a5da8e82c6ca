#include "descent/train/callbacks/metrics_log.h"

#include <stdexcept>

namespace descent {

MetricsLog::MetricsLog(const std::filesystem::path& path) : path_(path), out_(path, std::ios::app) {
  if (!out_) throw std::runtime_error("cannot open " + path.string() + " for writing");
}

void MetricsLog::on_epoch_end(TrainState&, EpochMetrics& m) {
  out_ << to_json(m).dump() << "\n";
  out_.flush();
  if (!out_) throw std::runtime_error("cannot write to " + path_.string());
}

}  // namespace descent
