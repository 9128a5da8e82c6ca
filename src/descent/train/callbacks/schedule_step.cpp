#include "descent/train/callbacks/schedule_step.h"

#include <cmath>
#include <stdexcept>

#include "descent/train/checkpoint_fields.h"
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
  const CheckpointFields f(checkpoint);
  const nlohmann::json& state =
      f.at("schedule", "the schedule's state, as the run has a [schedule]");
  try {
    scheduler_->load_state_dict(state);
  } catch (const nlohmann::json::exception& e) {
    f.refuse("schedule", "the state of " + scheduler_->name() + " (" + e.what() + ")");
  } catch (const std::exception& e) {
    f.fail(std::string("schedule: ") + e.what());
  }
}

}  // namespace descent
