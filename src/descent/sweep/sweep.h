#pragma once
// `descent sweep`: a plan of trials (sweep_plan.h) trained as separate processes
// (trial_processes.h), resumed where a killed or interrupted sweep stopped, optionally thinned
// by successive halving, then read back into results tables (results.h) and a report
// (sweep_report.h). Under an MPI launcher each rank trains its share (launcher_rank.h) and rank
// 0 writes the results.
#include <filesystem>
#include <functional>
#include <string>

#include "descent/sweep/results.h"
#include "descent/sweep/sweep_plan.h"

namespace descent::sweep {

struct SweepOptions {
  PlanRequest plan;
  int parallel = 0;               // trials at once; 0: cores / threads
  int threads = 0;                // threads per trial; 0: cores / parallel (at least 1)
  std::filesystem::path program;  // the descent program trials run; empty: this one
  std::string command;            // the command line, for the report's provenance
  bool report = true;             // write report.html
  // A line as each trial ends ("[3/12] cfg001-seed0 ...") and as the sweep moves on.
  std::function<void(const std::string&)> progress = {};
};

struct SweepOutcome {
  SweepPlan plan;
  SweepResults results;
  bool interrupted = false;    // Ctrl-C or SIGTERM: the same command continues it
  int failed = 0;              // trials that failed (logs/NAME.failed says why)
  bool wrote_results = false;  // false on ranks other than 0, and when interrupted
  std::string report_error;    // why report.html was not written ("" when it was or was off)
};

// Throws before any trial starts when the plan is bad (sweep_plan.h) or the directory holds
// another sweep.
SweepOutcome run_sweep(const SweepOptions& options);

// parallel x threads for a sweep: given values are kept, a missing one fills the cores.
std::pair<int, int> parallel_and_threads(int parallel, int threads);

}  // namespace descent::sweep
