#pragma once
// Runs one experiment into its directory: checks its settings, claims the directory (an empty
// or missing one, or an earlier run of the same experiment, whose files the new ones replace),
// runs it, draws its figures and writes result.json last.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "descent/experiments/experiment.h"

namespace descent::experiments {

struct RunOptions {
  std::filesystem::path out;  // empty: experiments/<name>
  bool quick = false;
  uint64_t seed = 0;
  std::vector<std::string> sets;  // "key=value"
  bool draw = true;  // figures (HTML page and PNGs); off, only the data and result.json
};

struct RunResult {
  std::filesystem::path dir;
  Outcome outcome;
  double seconds = 0;
};

inline constexpr const char* kResultFile = "result.json";

RunResult run_experiment(const Experiment& experiment, const RunOptions& options);

}  // namespace descent::experiments
