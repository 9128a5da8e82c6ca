#pragma once
// Trials as child processes of the descent program, at most `parallel` at a time. Each child
// runs in its own process group, so Ctrl-C in a terminal reaches only the sweep, which then asks
// every running trial once to stop (SIGTERM: it finishes its step, writes a checkpoint and exits
// 143) and waits for them; and each gets SIGTERM when the sweep itself dies (even by SIGKILL), so
// no trial trains on unsupervised. A child's stdout and stderr go to its log file.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace descent::sweep {

struct TrialJob {
  std::string name;
  std::vector<std::string> args;  // after the program's name: {"train", "--out", ...}
  std::filesystem::path log;      // appended to
};

struct TrialExit {
  std::string name;
  int status = 0;  // the exit status; 128 + signal when a signal ended it; 127: not started
};

// The program trials run: /proc/self/exe (the running descent) unless given.
std::filesystem::path descent_program();

// Runs the jobs in order, `parallel` at once, calling on_exit as each ends. Returns false when
// an interrupt (Ctrl-C, SIGTERM: train/interrupt.h) stopped it: the running trials were asked to
// stop and have ended, the rest never started.
bool run_trial_processes(const std::filesystem::path& program, const std::vector<TrialJob>& jobs,
                         int parallel, const std::function<void(const TrialExit&)>& on_exit);

}  // namespace descent::sweep
