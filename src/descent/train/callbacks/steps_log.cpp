#include "descent/train/callbacks/steps_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "descent/train/checkpoint_fields.h"

namespace descent {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;  // a few hundred lines between writes

std::runtime_error system_error(const std::string& what, const std::filesystem::path& path) {
  return std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

int64_t file_size(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw system_error("cannot read the size of", path);
  return static_cast<int64_t>(st.st_size);
}

}  // namespace

StepsLog::StepsLog(const std::filesystem::path& path, int64_t every) : path_(path), every_(every) {
  if (every < 1)
    throw std::invalid_argument("steps log: every must be >= 1, got " + std::to_string(every));
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw system_error("cannot open for writing", path);
  bytes_ = file_size(fd_, path);
  buffer_.reserve(kBufferBytes + 256);
}

StepsLog::~StepsLog() {
  try {
    write_buffer();
  } catch (const std::exception&) {
    // Destructors run while an error unwinds: the lines are lost, the error in flight says why.
  }
  ::close(fd_);
}

double StepsLog::seconds() const {
  return seconds_before_ + std::chrono::duration<double>(Clock::now() - start_).count();
}

void StepsLog::write_buffer() const {
  while (!buffer_.empty()) {
    const ssize_t n = ::write(fd_, buffer_.data(), buffer_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw system_error("cannot write to", path_);
    // What was written leaves the buffer at once, so a later attempt never writes it twice.
    buffer_.erase(0, static_cast<size_t>(n));
    bytes_ += n;
  }
}

void StepsLog::on_train_begin(TrainState&) {
  start_ = Clock::now();
  if (keep_ < 0) return;
  if (::ftruncate(fd_, keep_) != 0) throw system_error("cannot cut back", path_);
  bytes_ = keep_;
  keep_ = -1;
}

void StepsLog::on_step_end(TrainState& state) {
  if (state.step % every_ != 0) return;
  const nlohmann::ordered_json line = {{"step", state.step},   {"epoch", state.epoch},
                                       {"batch", state.batch}, {"loss", state.step_loss},
                                       {"lr", state.lr},       {"grad_norm", state.grad_norm},
                                       {"seconds", seconds()}};
  buffer_ += line.dump();
  buffer_ += '\n';
  if (buffer_.size() >= kBufferBytes) write_buffer();
}

void StepsLog::on_epoch_end(TrainState&, EpochMetrics&) { write_buffer(); }

void StepsLog::on_train_end(TrainState&, const TrainResult&) { write_buffer(); }

void StepsLog::save_state(Checkpoint& checkpoint) const {
  // The checkpoint will vouch for these bytes: they must be on disk before it is.
  write_buffer();
  if (::fdatasync(fd_) != 0) throw system_error("cannot sync", path_);
  checkpoint.meta["steps_log"] = {{"bytes", bytes_}, {"seconds", seconds()}};
}

void StepsLog::load_state(const Checkpoint& checkpoint) {
  const CheckpointFields f(checkpoint);
  if (!f.has("steps_log")) return;
  f.object("steps_log");
  const int64_t keep = f.integer("steps_log.bytes", 0, INT64_MAX);
  seconds_before_ = f.number("steps_log.seconds");
  write_buffer();
  const int64_t size = file_size(fd_, path_);
  // An empty file (deleted by hand) restarts the log here; a shorter one is refused, as it
  // would silently lose steps.
  if (size == 0) return;
  char last = '\n';
  if (size < keep || (keep > 0 && (::pread(fd_, &last, 1, keep - 1) != 1 || last != '\n')))
    throw std::runtime_error(path_.string() + " holds " + std::to_string(size) +
                             " bytes and the checkpoint expects " + std::to_string(keep) +
                             " bytes of whole lines: it was changed after the checkpoint (delete " +
                             "it to resume with a log that starts at the checkpoint)");
  keep_ = keep;  // cut back when training starts, once the whole checkpoint has been taken
}

}  // namespace descent
