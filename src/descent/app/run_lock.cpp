#include "descent/app/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "descent/app/run_dir.h"
#include "descent/io/atomic_file.h"

namespace descent {
namespace {

namespace fs = std::filesystem;

// The directories this process holds, each with its lock file's descriptor and how many RunLocks
// share it.
struct Held {
  int fd = -1;
  int count = 0;
};
std::mutex held_mutex;
std::map<fs::path, Held>& held() {
  static std::map<fs::path, Held> dirs;
  return dirs;
}

fs::path canonical_dir(const fs::path& dir) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(dir), ec);
  return ec ? fs::absolute(dir).lexically_normal() : p;
}

// The held directory that is `dir` or contains it, or held().end(). Call with held_mutex locked.
std::map<fs::path, Held>::iterator held_covering(const fs::path& dir) {
  for (fs::path p = dir;; p = p.parent_path()) {
    const auto it = held().find(p);
    if (it != held().end() || p == p.parent_path()) return it;
  }
}

[[noreturn]] void fail(const std::string& what, const fs::path& path, int err) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(err));
}

// The process id a holder wrote into its lock file. It writes it right after locking, so a
// reader that comes in between waits a moment for it; -1 when it never appears.
pid_t read_holder(int fd) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    char text[32] = {};
    const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
    if (n > 0) {
      char* end = nullptr;
      const long pid = std::strtol(text, &end, 10);
      if (pid > 0 && end && *end == '\n') return static_cast<pid_t>(pid);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return -1;
}

std::string busy_message(const fs::path& dir, pid_t holder) {
  const std::string who =
      holder > 0 ? "process " + std::to_string(holder) : std::string("another process");
  const std::string stop =
      holder > 0 ? ", or stop it (kill " + std::to_string(holder) + ")" : std::string();
  return "run directory " + dir.string() + " is in use: " + who +
         " is training in it (its lock is " + (dir / kLockFile).string() + "); wait for it to end" +
         stop;
}

}  // namespace

RunDirBusy::RunDirBusy(const fs::path& dir, pid_t holder)
    : std::runtime_error(busy_message(dir, holder)), holder_(holder) {}

RunLock::RunLock(const fs::path& dir) {
  const fs::path key = canonical_dir(dir);
  std::lock_guard<std::mutex> guard(held_mutex);
  if (const auto it = held_covering(key); it != held().end()) {
    ++it->second.count;
    key_ = it->first;
    return;
  }
  const fs::path file = dir / kLockFile;
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) fail("cannot lock run directory " + dir.string() + ": cannot open", file, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK) {
      const pid_t holder = read_holder(fd);
      ::close(fd);
      throw RunDirBusy(dir, holder);
    }
    ::close(fd);
    fail("cannot lock run directory " + dir.string() + ": flock", file, err);
  }
  // Who holds it, for the message a second process gets (the lock itself is the flock).
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int err = errno;
    ::close(fd);
    fail("cannot write", file, err);
  }
  held()[key] = Held{fd, 1};
  key_ = key;
}

RunLock::~RunLock() {
  if (key_.empty()) return;
  std::lock_guard<std::mutex> guard(held_mutex);
  const auto it = held().find(key_);
  if (it == held().end() || --it->second.count > 0) return;
  // The file stays: removing it could let a process that opened it a moment ago lock a file
  // that no longer has a name while a third locks a new one. Closing releases the flock.
  ::close(it->second.fd);
  held().erase(it);
}

RunLock::RunLock(RunLock&& other) noexcept : key_(std::move(other.key_)) { other.key_.clear(); }

pid_t run_dir_holder(const fs::path& dir) {
  {
    std::lock_guard<std::mutex> guard(held_mutex);
    if (held_covering(canonical_dir(dir)) != held().end()) return 0;
  }
  const int fd = ::open((dir / kLockFile).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;  // never locked
  pid_t holder = 0;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0)
    ::flock(fd, LOCK_UN);
  else if (errno == EWOULDBLOCK)
    holder = read_holder(fd);
  ::close(fd);
  return holder;
}

RunLock claim_new_run_dir(const fs::path& dir) {
  check_run_dir_is_free(dir);  // the usual refusal, before anything is created
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path());
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
    fail("cannot create run directory", dir, errno);
  RunLock lock(dir);
  // Under the lock: another process may have taken the directory since the check above.
  check_run_dir_is_free(dir);
  remove_stale_temporaries(dir);
  return lock;
}

}  // namespace descent
