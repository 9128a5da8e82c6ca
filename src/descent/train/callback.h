#pragma once
// Callbacks plug behaviour into the training loop (progress display, metric logs, early stopping,
// schedules, monitors), as in Keras and ensmallen. Each hook sees the loop's state; setting
// state.stop_reason asks the loop to stop after the current epoch. A callback with state of its
// own saves it into checkpoints, so a resumed run continues exactly.
#include <cmath>
#include <optional>
#include <string>

#include "descent/data/loader.h"
#include "descent/train/checkpoint.h"
#include "descent/train/metrics.h"

namespace descent {

struct TrainState {
  int64_t epoch = 0;   // 1-based, the epoch in progress or just finished
  int64_t epochs = 0;  // planned total
  int64_t batch = 0;   // 1-based batch within the epoch
  int64_t batches_per_epoch = 0;
  int64_t step = 0;                       // optimizer steps taken since the start of training
  int64_t samples_in_epoch = 0;           // training examples seen so far this epoch
  double epoch_seconds = 0;               // wall time since the epoch started
  double running_loss = 0;                // mean training loss so far this epoch
  double lr = 0;                          // the first group's learning rate for the coming step
  double step_loss = NAN;                 // the step's mean minibatch loss (from on_gradients on)
  double grad_norm = NAN;                 // its global gradient 2-norm before clipping (same)
  std::optional<StopReason> stop_reason;  // set: stop after this epoch
  std::string stop_message;               // why, in words, for the summary and the console
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(TrainState&) {}
  virtual void on_epoch_begin(TrainState&) {}
  virtual void on_batch_end(TrainState&) {}  // after each minibatch's backward pass
  // The step's gradients are final (accumulated, penalized, clipped); the weights not yet moved.
  // `batch` is the step's last minibatch.
  virtual void on_gradients(TrainState&, const Batch&) {}
  virtual void on_step_end(TrainState&) {}  // after each optimizer step
  // Callbacks may add their own per-epoch values to m.extra (written to metrics.jsonl).
  virtual void on_epoch_end(TrainState&, EpochMetrics&) {}
  virtual void on_train_end(TrainState&, const TrainResult&) {}

  virtual void save_state(Checkpoint&) const {}
  virtual void load_state(const Checkpoint&) {}
};

}  // namespace descent
