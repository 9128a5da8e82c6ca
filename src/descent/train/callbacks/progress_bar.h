#pragma once
// Progress on the console. On a terminal: a live bar per epoch with the running loss, samples/s
// and time left, redrawn at most ten times a second and fitted to the terminal's width at each
// redraw (fields drop out, then the bar shrinks, as the window narrows). Epoch lines: every
// `every` epochs, plus the first and the last (also when training stops early); on a narrow
// terminal an epoch line wraps between its fields, never inside one.
#include <cstdio>
#include <string>
#include <vector>

#include "descent/train/callback.h"

namespace descent {

struct ProgressOptions {
  bool live = false;  // the redrawn bar; for a terminal
  int64_t every = 1;  // epochs between epoch lines
};

class ProgressBar : public Callback {
 public:
  explicit ProgressBar(std::FILE* out = stdout);  // live when `out` is a terminal, every epoch
  ProgressBar(std::FILE* out, ProgressOptions options) : out_(out), options_(options) {}

  void on_batch_end(TrainState& state) override;
  void on_epoch_end(TrainState& state, EpochMetrics& m) override;
  void on_train_end(TrainState& state, const TrainResult& result) override;

  // The bar's line for `state` in at most `columns` characters.
  static std::string bar_line(const TrainState& state, int columns);
  // The fields of an epoch's line, most important first.
  static std::vector<std::string> epoch_fields(const TrainState& state, const EpochMetrics& m);

 private:
  std::FILE* out_;
  ProgressOptions options_;
  double last_draw_ = -1;
  std::string pending_;  // the last epoch's line when it was not printed
};

// Epochs between lines so that a long run prints about `lines` of them: 1, 2, 5, 10, 20, 50, ...
int64_t epoch_line_every(int64_t epochs, int64_t lines = 25);

}  // namespace descent
