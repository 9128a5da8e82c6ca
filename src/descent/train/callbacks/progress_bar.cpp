#include "descent/train/callbacks/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <string>

namespace descent {

ProgressBar::ProgressBar(std::FILE* out) : out_(out), live_(isatty(fileno(out)) != 0) {}

void ProgressBar::on_batch_end(TrainState& s) {
  if (!live_) return;
  const bool last = s.batch == s.batches_per_epoch;
  if (!last && s.epoch_seconds - last_draw_ < 0.1 && last_draw_ >= 0) return;
  last_draw_ = s.epoch_seconds;
  constexpr int kWidth = 30;
  const double done = static_cast<double>(s.batch) / static_cast<double>(s.batches_per_epoch);
  const int filled = static_cast<int>(done * kWidth);
  const double rate = s.samples_in_epoch / std::max(s.epoch_seconds, 1e-9);
  const double left = s.epoch_seconds * (1.0 - done) / std::max(done, 1e-9);
  std::fprintf(out_,
               "\r\033[Kepoch %lld/%lld [%s%s] %lld/%lld loss %.4f  %.0f samples/s  %.0fs left",
               static_cast<long long>(s.epoch), static_cast<long long>(s.epochs),
               std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(),
               static_cast<long long>(s.batch), static_cast<long long>(s.batches_per_epoch),
               s.running_loss, rate, left);
  std::fflush(out_);
}

void ProgressBar::on_epoch_end(TrainState& s, EpochMetrics& m) {
  if (live_) std::fprintf(out_, "\r\033[K");
  last_draw_ = -1;
  std::string line = "epoch " + std::to_string(m.epoch) + "/" + std::to_string(s.epochs);
  char buf[256];
  std::snprintf(buf, sizeof buf, "  train_loss %.4f", m.train_loss);
  line += buf;
  if (std::isfinite(m.train_accuracy)) {
    std::snprintf(buf, sizeof buf, "  train_acc %.4f", m.train_accuracy);
    line += buf;
  }
  if (std::isfinite(m.val_loss)) {
    std::snprintf(buf, sizeof buf, "  val_loss %.4f", m.val_loss);
    line += buf;
  }
  if (std::isfinite(m.val_accuracy)) {
    std::snprintf(buf, sizeof buf, "  val_acc %.4f", m.val_accuracy);
    line += buf;
  }
  std::snprintf(buf, sizeof buf, "  lr %.3g  %.1fs  %.0f samples/s", m.lr, m.seconds,
                m.samples_per_second);
  line += buf;
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

}  // namespace descent
