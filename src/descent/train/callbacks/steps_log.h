#pragma once
// StepsLog: one JSON object per logged optimizer step, appended to <run>/steps.jsonl:
//   {"step", "epoch", "batch", "loss", "lr", "grad_norm", "seconds"}
// step: optimizer steps since the start of training (1-based); batch: the step's last minibatch
// within the epoch; loss: the mean of the step's minibatch losses (what its gradient is the
// gradient of); lr: the first group's, used by the step; grad_norm: the global 2-norm before
// clipping; seconds: wall time of training so far (a resumed run carries on from its checkpoint's,
// so the axis has no gap). Every `every`-th step is logged (steps every, 2 every, ...); skipped
// steps (train.on_non_finite = "skip") are not steps and are not logged.
//
// Lines are buffered and written at epoch ends, at checkpoints and when training ends (and every
// 64 KiB), not per step. A checkpoint flushes and fsyncs the file and records its length, and
// resuming from that checkpoint cuts the file back to it: lines a run wrote after its last
// checkpoint, before a Ctrl-C or a crash, are dropped, as those steps will be taken again.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "descent/train/callback.h"

namespace descent {

class StepsLog : public Callback {
 public:
  // Opens (creates) `path` for appending; throws naming it when it can't.
  explicit StepsLog(const std::filesystem::path& path, int64_t every = 1);
  ~StepsLog() override;  // writes what is buffered
  StepsLog(const StepsLog&) = delete;
  StepsLog& operator=(const StepsLog&) = delete;

  void on_train_begin(TrainState& state) override;
  void on_step_end(TrainState& state) override;
  void on_epoch_end(TrainState& state, EpochMetrics& m) override;
  void on_train_end(TrainState& state, const TrainResult& result) override;
  // meta "steps_log": {"bytes": the file's length, "seconds": training time so far}.
  void save_state(Checkpoint& checkpoint) const override;
  // Cuts the file back to the checkpoint's length. A checkpoint without "steps_log" (written
  // before runs had this log) leaves the file as it is. Throws when the file is shorter than
  // the checkpoint says (it was cut or replaced since).
  void load_state(const Checkpoint& checkpoint) override;

 private:
  using Clock = std::chrono::steady_clock;
  void write_buffer() const;
  double seconds() const;

  std::filesystem::path path_;
  int64_t every_;
  int fd_ = -1;
  // Writing lines out is not a change of the log's state: a checkpoint (a const hook) does it.
  mutable std::string buffer_;
  mutable int64_t bytes_ = 0;  // the file's length, the buffer not included
  int64_t keep_ = -1;          // after load_state: the length to cut the file back to
  double seconds_before_ = 0;  // training time before this process (from the checkpoint)
  Clock::time_point start_ = Clock::now();
};

}  // namespace descent
