#include "descent/train/callbacks/early_stopping.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "descent/train/checkpoint_fields.h"

namespace descent {

double monitored_value(const EpochMetrics& m, const std::string& monitor) {
  if (monitor == "val_loss") return m.val_loss;
  if (monitor == "val_accuracy") return m.val_accuracy;
  if (monitor == "train_loss") return m.train_loss;
  if (monitor == "train_accuracy") return m.train_accuracy;
  throw std::invalid_argument("early stopping: unknown monitor '" + monitor +
                              "' (valid: val_loss, val_accuracy, train_loss, train_accuracy)");
}

EarlyStopping::EarlyStopping(EarlyStoppingOptions options, std::vector<NamedTensor> weights)
    : options_(std::move(options)), weights_(std::move(weights)) {
  monitored_value(EpochMetrics{}, options_.monitor);  // checks the name
  if (options_.mode == "auto")
    maximize_ = options_.monitor.find("accuracy") != std::string::npos;
  else if (options_.mode == "max" || options_.mode == "min")
    maximize_ = options_.mode == "max";
  else
    throw std::invalid_argument("early stopping: unknown mode '" + options_.mode +
                                "' (valid: min, max, auto)");
  best_ = maximize_ ? -INFINITY : INFINITY;
  if (options_.restore_best)
    for (const auto& w : weights_) best_weights_.push_back({w.name, w.tensor.clone()});
}

void EarlyStopping::on_epoch_end(TrainState& state, EpochMetrics& m) {
  const double value = monitored_value(m, options_.monitor);
  if (std::isnan(value))
    throw std::runtime_error("early stopping monitors " + options_.monitor + ", which epoch " +
                             std::to_string(m.epoch) + " did not measure (no validation set?)");
  const bool improved =
      maximize_ ? value > best_ + options_.min_delta : value < best_ - options_.min_delta;
  if (improved) {
    best_ = value;
    best_epoch_ = m.epoch;
    wait_ = 0;
    for (size_t i = 0; i < best_weights_.size(); ++i)
      best_weights_[i].tensor.copy_from(weights_[i].tensor);
    return;
  }
  if (++wait_ >= options_.patience) {
    state.stop_reason = StopReason::EarlyStopping;
    state.stop_message = options_.monitor + " did not improve for " + std::to_string(wait_) +
                         " epoch" + (wait_ == 1 ? "" : "s") +
                         fmt::format(" (best {:.6g} at epoch {})", best_, best_epoch_);
  }
}

void EarlyStopping::on_train_end(TrainState&, const TrainResult& result) {
  // A run stopped for diverging gets its best weights back too: they are the ones worth keeping.
  const bool finished = result.stop_reason == StopReason::Completed ||
                        result.stop_reason == StopReason::EarlyStopping ||
                        result.stop_reason == StopReason::Diverged;
  if (!options_.restore_best || !finished || best_epoch_ == 0) return;
  restored_ = true;
  for (size_t i = 0; i < weights_.size(); ++i) {
    Tensor w = weights_[i].tensor;
    w.copy_from(best_weights_[i].tensor);
  }
}

void EarlyStopping::save_state(Checkpoint& checkpoint) const {
  checkpoint.meta["early_stopping"] = {
      {"best", best_}, {"best_epoch", best_epoch_}, {"wait", wait_}};
  checkpoint.add_tensors("early_stopping", best_weights_);
}

void EarlyStopping::load_state(const Checkpoint& checkpoint) {
  const CheckpointFields f(checkpoint);
  if (!f.has("early_stopping"))
    f.refuse("early_stopping", "early stopping's state, as [early_stopping] is on");
  f.object("early_stopping");
  // The epochs done before the checkpoint (the trainer has checked loop.epoch already).
  const int64_t done = f.integer("loop.epoch", 1, INT64_MAX) - 1;
  // JSON has no infinities: before the first epoch the best is written as null.
  best_ = f.at("early_stopping.best", "a number or null").is_null()
              ? (maximize_ ? -INFINITY : INFINITY)
              : f.number("early_stopping.best");
  best_epoch_ = f.integer("early_stopping.best_epoch", 0, done, "the epochs done");
  wait_ = f.integer("early_stopping.wait", 0, done, "the epochs done");
  if (options_.restore_best)
    copy_by_name(best_weights_, checkpoint.tensors_under("early_stopping"),
                 "checkpoint early_stopping weights");
}

}  // namespace descent
