#include "descent/train/callbacks/divergence.h"

#include <fmt/format.h>

#include "descent/train/checkpoint_fields.h"

namespace descent {
namespace {

// Chance for k classes, with a tenth of it as margin for a model that guesses one class of a
// slightly unbalanced set.
double chance_ceiling(int64_t classes) { return 1.1 / static_cast<double>(classes); }

}  // namespace

DivergenceMonitor::DivergenceMonitor(DivergenceOptions options, std::FILE* warnings)
    : options_(options), warnings_(warnings) {}

void DivergenceMonitor::on_step_end(TrainState& state) {
  if (std::isnan(reference_)) {
    if (std::isfinite(state.step_loss)) reference_ = state.step_loss;
    return;
  }
  if (!message_.empty() || !(reference_ > 0)) return;
  if (state.step_loss > options_.factor * reference_)
    message_ = fmt::format(
        "the loss exploded: {:.4g} at step {} (epoch {}), {:.3g} times the first step's {:.4g}",
        state.step_loss, state.step, state.epoch, state.step_loss / reference_, reference_);
}

void DivergenceMonitor::on_epoch_end(TrainState& state, EpochMetrics& m) {
  if (epoch_ > 0) return;  // told once
  if (message_.empty() && options_.num_classes >= 2 && m.epoch >= options_.chance_epochs &&
      state.step >= options_.chance_steps && std::isfinite(reference_)) {
    const bool validated = std::isfinite(m.val_accuracy);
    const double accuracy = validated ? m.val_accuracy : m.train_accuracy;
    if (accuracy <= chance_ceiling(options_.num_classes) && m.train_loss > 0.9 * reference_)
      message_ = fmt::format(
          "a classifier at chance: {} {:.4f} after {} epochs and {} steps (chance is 1/{}) with "
          "the training loss at {:.4g}, not below the first step's {:.4g}",
          validated ? "val_accuracy" : "train_accuracy", accuracy, m.epoch, state.step,
          options_.num_classes, m.train_loss, reference_);
  }
  if (message_.empty()) return;
  epoch_ = m.epoch;
  if (options_.stop) {
    state.stop_reason = StopReason::Diverged;
    state.stop_message = "training diverged: " + message_;
  } else if (warnings_) {
    std::fprintf(warnings_, "descent: warning: training is diverging: %s; training goes on\n",
                 message_.c_str());
    std::fflush(warnings_);
  }
}

void DivergenceMonitor::save_state(Checkpoint& checkpoint) const {
  // JSON has no NaN: before the first step the reference is written as null.
  checkpoint.meta["divergence"] = {
      {"reference", std::isnan(reference_) ? nlohmann::json() : nlohmann::json(reference_)},
      {"message", message_},
      {"epoch", epoch_}};
}

void DivergenceMonitor::load_state(const Checkpoint& checkpoint) {
  // A checkpoint from a run that did not watch: the first step after it is the reference.
  const CheckpointFields f(checkpoint);
  if (!f.has("divergence")) return;
  f.object("divergence");
  reference_ = f.at("divergence.reference", "a number or null").is_null()
                   ? NAN
                   : f.number("divergence.reference");
  message_ = f.text("divergence.message");
  epoch_ = f.integer("divergence.epoch", 0, f.integer("loop.epoch", 1, INT64_MAX),
                     "up to the checkpoint's epoch");
}

}  // namespace descent
