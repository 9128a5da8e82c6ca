#include "descent/train/callbacks/schedule_step.h"

#include <cmath>

#include "descent/util/spec.h"

namespace descent {

ScheduleInterval parse_schedule_interval(const std::string& text) {
  if (text == "step") return ScheduleInterval::Step;
  if (text == "epoch") return ScheduleInterval::Epoch;
  throw SpecError("schedule interval '" + text + "' is not valid (expected step or epoch)");
}

void ScheduleStep::on_batch_end(TrainState& state) {
  if (interval_ != ScheduleInterval::Step) return;
  if (scheduler_->needs_metric())
    scheduler_->step(state.running_loss);
  else
    scheduler_->step();
}

void ScheduleStep::on_epoch_end(TrainState&, const EpochMetrics& metrics) {
  if (interval_ != ScheduleInterval::Epoch) return;
  if (scheduler_->needs_metric())
    scheduler_->step(std::isnan(metrics.val_loss) ? metrics.train_loss : metrics.val_loss);
  else
    scheduler_->step();
}

}  // namespace descent
