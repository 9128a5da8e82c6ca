#pragma once
// What `sweep` and `compare-optimizers` print while trials run, and how they end when
// interrupted: the same words and exit status for both.
#include <functional>
#include <string>

namespace cli {

// Prints the sweep's lines: none with -q, the per-trial ones ("[3/12] ...") only with -v.
std::function<void(const std::string&)> sweep_progress(bool quiet, bool verbose);

// Says that `what` ("sweep", "comparison") stopped and how to continue it, and throws the exit
// status of the signal (130 for Ctrl-C, 143 for SIGTERM).
[[noreturn]] void stop_interrupted(const std::string& what);

}  // namespace cli
