#include "cli/sweep_console.h"

#include <csignal>
#include <cstdio>

#include "cli/commands.h"
#include "descent/train/interrupt.h"

namespace cli {

std::function<void(const std::string&)> sweep_progress(bool quiet, bool verbose) {
  return [quiet, verbose](const std::string& line) {
    const bool per_trial = line.rfind("[", 0) == 0;
    if (quiet || (per_trial && !verbose)) return;
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
}

void stop_interrupted(const std::string& what) {
  std::fprintf(stderr,
               "descent: %s stopped by %s; the trials in progress wrote checkpoints\n"
               "continue it with the same command\n",
               what.c_str(),
               descent::interrupt_name()[0] ? descent::interrupt_name() : "a request");
  throw ExitStatus{128 + (descent::interrupt_signal() ? descent::interrupt_signal() : SIGINT)};
}

}  // namespace cli
