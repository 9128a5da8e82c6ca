#include "descent/train/callbacks/schedule_step.h"

#include <cmath>
#include <stdexcept>

#include "descent/util/spec.h"

namespace descent {

ScheduleInterval parse_schedule_interval(const std::string& text) {
  if (text == "step") return ScheduleInterval::Step;
  if (text == "epoch") return ScheduleInterval::Epoch;
  throw SpecError("schedule interval '" + text + "' is not valid (expected step or epoch)");
}

void ScheduleStep::on_step_end(TrainState& state) {
  if (interval_ != ScheduleInterval::Step) return;
  if (scheduler_->needs_metric())
    scheduler_->step(state.running_loss);
  else
    scheduler_->step();
}

void ScheduleStep::on_epoch_end(TrainState&, EpochMetrics& metrics) {
  if (interval_ != ScheduleInterval::Epoch) return;
  if (scheduler_->needs_metric())
    scheduler_->step(std::isnan(metrics.val_loss) ? metrics.train_loss : metrics.val_loss);
  else
    scheduler_->step();
}

void ScheduleStep::save_state(Checkpoint& checkpoint) const {
  checkpoint.meta["schedule"] = scheduler_->state_dict();
}

void ScheduleStep::load_state(const Checkpoint& checkpoint) {
  if (!checkpoint.meta.contains("schedule"))
    throw std::runtime_error("checkpoint: no schedule state, but the run has a [schedule]");
  scheduler_->load_state_dict(checkpoint.meta.at("schedule"));
}

}  // namespace descent
