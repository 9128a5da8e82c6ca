#pragma once
// Optimizers raced on a 2-D test function, as `descent optimize --plot` and the Python module's
// descent.plot_paths draw them: the function's contour plot (its usual window, widened to hold the
// start) with every path, and beside it loss and gradient norm against step (log scale where the
// loss stays positive). Each path takes its optimizer's colour (palette.h); a SPEC given twice is
// labelled "spec (2)".
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/functions/test_functions.h"

namespace descent::plot {

// One optimizer's path: row s after s steps (row 0: the start).
struct RacePath {
  std::string spec;  // the optimizer SPEC, its label
  std::vector<float> x, y, loss;
  std::vector<double> grad_norm, lr;
};

// Writes the figures to `file` (.html, .svg or .png; export.h) with `provenance` (provenance.h,
// the window drawn added to its "config") and the page's `title`: a contour grid of grid x grid
// points.
void write_optimizer_race(const TestFunction& fn, const std::vector<RacePath>& paths, double x0,
                          double y0, int64_t grid, const std::filesystem::path& file,
                          const nlohmann::json& provenance, const std::string& title);

}  // namespace descent::plot
