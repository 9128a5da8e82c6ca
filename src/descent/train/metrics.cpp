#include "descent/train/metrics.h"

namespace descent {
namespace {
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }
}  // namespace

nlohmann::json to_json(const EpochMetrics& m) {
  return {{"epoch", m.epoch},
          {"train_loss", number(m.train_loss)},
          {"train_accuracy", number(m.train_accuracy)},
          {"val_loss", number(m.val_loss)},
          {"val_accuracy", number(m.val_accuracy)},
          {"lr", number(m.lr)},
          {"seconds", m.seconds},
          {"samples_per_second", m.samples_per_second}};
}

nlohmann::json to_json(const EvalResult& r) {
  return {{"loss", number(r.loss)}, {"accuracy", number(r.accuracy)}, {"examples", r.examples}};
}

}  // namespace descent
