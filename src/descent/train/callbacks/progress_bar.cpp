#include "descent/train/callbacks/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "descent/util/console.h"

namespace descent {
namespace {

std::string format(const char* fmt, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, value);
  return buf;
}

std::string epoch_of(const TrainState& s, int64_t epoch) {
  return "epoch " + std::to_string(epoch) + "/" + std::to_string(s.epochs);
}

// Fields joined by two spaces into lines of at most `columns` characters (unlimited at 0).
std::string join_fitted(const std::vector<std::string>& fields, int columns) {
  std::string out, line;
  for (const std::string& f : fields) {
    if (line.empty()) {
      line = f;
    } else if (columns > 0 && static_cast<int>(line.size() + 2 + f.size()) > columns) {
      out += line + "\n";
      line = "  " + f;
    } else {
      line += "  " + f;
    }
  }
  return out + line + "\n";
}

}  // namespace

int64_t epoch_line_every(int64_t epochs, int64_t lines) {
  for (int64_t every = 1;; every *= 10)
    for (const int64_t k : {every, 2 * every, 5 * every})
      if ((epochs + k - 1) / k <= lines) return k;
}

ProgressBar::ProgressBar(std::FILE* out) : out_(out), options_{isatty(fileno(out)) != 0, 1} {}

std::string ProgressBar::bar_line(const TrainState& s, int columns) {
  const double done = static_cast<double>(s.batch) / static_cast<double>(s.batches_per_epoch);
  const double rate = s.samples_in_epoch / std::max(s.epoch_seconds, 1e-9);
  const double left = s.epoch_seconds * (1.0 - done) / std::max(done, 1e-9);
  const std::string count = std::to_string(s.batch) + "/" + std::to_string(s.batches_per_epoch);
  const std::string loss = "loss " + format("%.4f", s.running_loss);
  const std::string speed = format("%.0f samples/s", rate), eta = format("%.0fs left", left);
  const int width = std::max(columns - 1, 1);  // the last column would wrap some terminals
  constexpr int kMaxBar = 30, kMinBar = 10;
  // As the width shrinks, samples/s goes first, then the batch count, then the time left, then
  // the bar.
  for (int dropped = 0;; ++dropped) {
    const auto line_with = [&](const std::string& bar) {
      std::string line = epoch_of(s, s.epoch) + bar;
      if (dropped < 2) line += " " + count;
      line += " " + loss;
      if (dropped < 1) line += "  " + speed;
      if (dropped < 3) line += "  " + eta;
      return line;
    };
    const int bar = std::min(kMaxBar, width - static_cast<int>(line_with("").size()) - 3);
    if (bar >= kMinBar) {
      const int filled = static_cast<int>(done * bar);
      return line_with(" [" + std::string(filled, '#') + std::string(bar - filled, '.') + "]");
    }
    if (dropped == 3) return line_with("").substr(0, width);
  }
}

std::vector<std::string> ProgressBar::epoch_fields(const TrainState& s, const EpochMetrics& m) {
  std::vector<std::string> fields = {epoch_of(s, m.epoch),
                                     "train_loss " + format("%.4f", m.train_loss)};
  if (std::isfinite(m.train_accuracy))
    fields.push_back("train_acc " + format("%.4f", m.train_accuracy));
  if (std::isfinite(m.val_loss)) fields.push_back("val_loss " + format("%.4f", m.val_loss));
  if (std::isfinite(m.val_accuracy)) fields.push_back("val_acc " + format("%.4f", m.val_accuracy));
  fields.push_back("lr " + format("%.3g", m.lr));
  fields.push_back(format("%.1fs", m.seconds));
  fields.push_back(format("%.0f samples/s", m.samples_per_second));
  return fields;
}

void ProgressBar::on_batch_end(TrainState& s) {
  if (!options_.live) return;
  const bool last = s.batch == s.batches_per_epoch;
  if (!last && s.epoch_seconds - last_draw_ < 0.1 && last_draw_ >= 0) return;
  last_draw_ = s.epoch_seconds;
  const int columns = terminal_columns(out_);
  std::fprintf(out_, "\r\033[K%s", bar_line(s, columns > 0 ? columns : 80).c_str());
  std::fflush(out_);
}

void ProgressBar::on_epoch_end(TrainState& s, EpochMetrics& m) {
  if (options_.live) std::fprintf(out_, "\r\033[K");
  last_draw_ = -1;
  const std::string line =
      join_fitted(epoch_fields(s, m), options_.live ? terminal_columns(out_) - 1 : 0);
  if (m.epoch == 1 || m.epoch % options_.every == 0 || m.epoch == s.epochs) {
    std::fprintf(out_, "%s", line.c_str());
    pending_.clear();
  } else {
    pending_ = line;
  }
  std::fflush(out_);
}

void ProgressBar::on_train_end(TrainState&, const TrainResult&) {
  // A run that stopped between printed epochs shows where it stopped.
  if (!pending_.empty()) std::fprintf(out_, "%s", pending_.c_str());
  pending_.clear();
  std::fflush(out_);
}

}  // namespace descent
