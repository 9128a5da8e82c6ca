#pragma once
// The loss landscape of trained runs, measured and drawn into an experiment's context: shared by
// `descent landscape RUN_DIR [RUN_DIR2]` and the loss-landscape experiment (which trains its own
// two runs first). docs/experiments.md describes the figures.
#include <cstdint>
#include <filesystem>

#include "descent/experiments/experiment.h"

namespace descent::experiments {

struct LandscapeRequest {
  std::filesystem::path run;   // a finished classifier run
  std::filesystem::path run2;  // optional: a second run of the same model, for the line between
  int64_t grid = 51;           // plane points per side
  int64_t subset = 10000;      // training examples measured on
  double range = 1;            // the plane spans [-range, range] along each direction
  int64_t line_points = 41;    // points of each 1-D interpolation, t in [-0.25, 1.25]
  int64_t path_grid = 25;      // points per side of the plane of the training path
  bool include_biases = false;
  std::string run_label = "run", run2_label = "run 2";  // in legends
};

// Measures the run(s) on `subset` examples of run's training set (a seeded choice, from
// Generator(seed + 1)), the directions drawn from Generator(seed): writes line.csv, plane.csv,
// path.csv (with per-epoch weights) and the figures, and returns the headline.
Outcome measure_landscape(Context& context, const LandscapeRequest& request);

// `descent landscape` as an experiment (not in the registry): its settings are the command's
// options (run, run2, grid, subset, range, biases, ...).
const Experiment& landscape_command();

}  // namespace descent::experiments
