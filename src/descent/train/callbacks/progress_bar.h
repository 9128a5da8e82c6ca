#pragma once
// Progress on the console. On a terminal: a live bar per epoch with the running loss, samples/s
// and time left, redrawn at most ten times a second. Otherwise (a log, a pipe): one line per epoch.
#include <cstdio>

#include "descent/train/callback.h"

namespace descent {

class ProgressBar : public Callback {
 public:
  explicit ProgressBar(std::FILE* out = stdout);
  ProgressBar(std::FILE* out, bool live) : out_(out), live_(live) {}

  void on_batch_end(TrainState& state) override;
  void on_epoch_end(TrainState& state, EpochMetrics& m) override;

 private:
  std::FILE* out_;
  bool live_;
  double last_draw_ = -1;
};

}  // namespace descent
