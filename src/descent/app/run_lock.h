#pragma once
// One process at a time in a run directory. Training, resuming and a stacked run's phases hold an
// exclusive flock(2) on the directory's lock file (run_dir.h: kLockFile) for as long as they
// work there; the kernel drops it when the process ends, however it ends (SIGKILL included), so
// a lock is never stale. A second process is refused, told the holder's process id, before it
// touches anything. Readers (report, summary) need no lock; evaluate and predict ask whether a
// run is still training (run_dir_holder) to refuse a model that is not final.
#include <sys/types.h>

#include <filesystem>
#include <stdexcept>

namespace descent {

// Another process holds the run directory.
class RunDirBusy : public std::runtime_error {
 public:
  RunDirBusy(const std::filesystem::path& dir, pid_t holder);
  pid_t holder() const { return holder_; }

 private:
  pid_t holder_;
};

// Holds a run directory's lock until destroyed. Within one process the lock is re-entrant: a
// directory this process holds already, or one inside it (a stacked run's phase), is granted
// without another lock file.
class RunLock {
 public:
  // Locks `dir`, which must exist; throws RunDirBusy when another process holds it.
  explicit RunLock(const std::filesystem::path& dir);
  ~RunLock();
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  std::filesystem::path key_;  // the canonical directory; empty once moved from
};

// The process id holding `dir`'s lock, or 0 when no other process does (this process's own lock
// does not count). Only a probe: the answer may change right after.
pid_t run_dir_holder(const std::filesystem::path& dir);

// A new run directory, created and locked without a race: `dir` is created (with its parents)
// when missing, and an existing one is taken only when it is empty once locked (run_dir.h:
// run_dir_is_empty). Two processes given the same --out: one gets it, the other is refused.
RunLock claim_new_run_dir(const std::filesystem::path& dir);

}  // namespace descent
