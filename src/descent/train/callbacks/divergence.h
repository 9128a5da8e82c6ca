#pragma once
// DivergenceMonitor: tells a run that is diverging from one that is learning, so that a run with
// a useless model does not end as "completed". Both signs compare with the reference, the first
// optimizer step's loss (the untrained model's):
//   - the loss exploded: a step's loss is above `factor` times the reference (a learning rate
//     far too large goes 2.3 -> 14 -> 667 -> 5e5 in four steps, and its ReLUs die so that the
//     loss then sits at chance); checked only for a positive reference;
//   - a classifier at chance: from epoch `chance_epochs` on, once `chance_steps` optimizer steps
//     are taken (a short run has not had the time to learn), the accuracy (validation's, else
//     training's) is at most 1.1 / k for k classes while the epoch's training loss is still above
//     0.9 times the reference.
// The first sign found is kept (message()). With `stop`, the loop stops at the end of that epoch
// (StopReason::Diverged); otherwise a warning is written to `warnings` and training goes on.
// A NaN or Inf loss is the trainer's health check's, which stops at once.
#include <cmath>
#include <cstdio>
#include <string>

#include "descent/train/callback.h"

namespace descent {

struct DivergenceOptions {
  bool stop = true;            // false: warn and train on
  double factor = 10;          // a step's loss above factor x the first step's has exploded
  int64_t chance_epochs = 3;   // the first epoch at which chance accuracy counts
  int64_t chance_steps = 100;  // and the optimizer steps it takes before
  int64_t num_classes = 0;     // of the training data; < 2: no accuracy to check
};

class DivergenceMonitor : public Callback {
 public:
  // `warnings` (may be null) gets one line when a sign is found and training goes on.
  explicit DivergenceMonitor(DivergenceOptions options, std::FILE* warnings = nullptr);

  void on_step_end(TrainState& state) override;
  void on_epoch_end(TrainState& state, EpochMetrics& m) override;
  void save_state(Checkpoint& checkpoint) const override;  // meta "divergence"
  void load_state(const Checkpoint& checkpoint) override;

  // What was found, in words ("the loss exploded: ..."); empty while nothing is.
  const std::string& message() const { return message_; }
  int64_t epoch() const { return epoch_; }  // the epoch it was found in, 0 while none
  double reference() const { return reference_; }

 private:
  DivergenceOptions options_;
  std::FILE* warnings_;
  double reference_ = NAN;  // the first step's loss
  std::string message_;
  int64_t epoch_ = 0;
};

}  // namespace descent
