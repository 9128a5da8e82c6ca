#pragma once
// ScheduleStep: steps a Scheduler from the training loop, after each optimizer step
// (interval step, on_step_end) or after each epoch (interval epoch, on_epoch_end). A schedule
// that needs a metric (reduce_on_plateau) gets val_loss, or train_loss without validation (per
// batch: the epoch's running loss). The scheduler took its initial step when it was built, so
// the first optimizer step already uses row 0 of the schedule.
#include <memory>

#include "descent/schedule/scheduler.h"
#include "descent/train/callback.h"

namespace descent {

enum class ScheduleInterval { Step, Epoch };

// "step" or "epoch"; throws SpecError naming the accepted ones.
ScheduleInterval parse_schedule_interval(const std::string& text);

class ScheduleStep : public Callback {
 public:
  ScheduleStep(std::shared_ptr<Scheduler> scheduler, ScheduleInterval interval)
      : scheduler_(std::move(scheduler)), interval_(interval) {}

  void on_step_end(TrainState& state) override;
  void on_epoch_end(TrainState& state, EpochMetrics& metrics) override;

  Scheduler& scheduler() { return *scheduler_; }
  void save_state(Checkpoint& checkpoint) const override;  // meta "schedule"
  void load_state(const Checkpoint& checkpoint) override;
  ScheduleInterval interval() const { return interval_; }

 private:
  std::shared_ptr<Scheduler> scheduler_;
  ScheduleInterval interval_;
};

}  // namespace descent
