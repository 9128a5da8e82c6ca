#pragma once
// `descent report RUN_DIR...`: one page comparing runs. Runs whose configurations differ only in
// seed (and thread count or checkpoint frequency) form a group, drawn as its mean with a min/max
// band over faint per-seed lines; groups are named by what sets them apart
// ("sgd, momentum=0.9"). The page holds loss and accuracy per epoch, the learning rate, gradient
// norms, update-to-weight ratios, the per-step minibatch loss, the curvature probes, early
// stopping's best epoch and patience window, a table of final test numbers and each group's
// configuration.
#include <filesystem>
#include <string>
#include <vector>

#include "descent/app/run_record.h"
#include "descent/plot/page.h"

namespace descent {

struct RunGroup {
  std::string label;      // what sets the group apart, or the optimizer's name
  std::string color_key;  // the optimizer's name where that alone tells groups apart
  std::vector<const RunRecord*> runs;
};

// Groups in order of first appearance.
std::vector<RunGroup> group_runs(const std::vector<RunRecord>& runs);

// Mean, min and max at each index over series of different lengths (NaNs left out); an index no
// series reaches stays NaN.
struct Aggregate {
  std::vector<double> mean, min, max;
};
Aggregate aggregate(const std::vector<std::vector<double>>& series);

// The page; `command` is the command line that made it (provenance).
plot::Page report_page(const std::vector<RunRecord>& runs, const std::string& command);

// Writes DIR/report.html: the page of the one run in `dir`, as `descent report DIR` draws it.
// Throws (nothing written) when the run cannot be read or the figures' JavaScript is missing.
void write_run_report(const std::filesystem::path& dir);

// "0.8864", "1.23e-05": numbers as tables show them (4 significant digits); NaN as "-".
std::string format_number(double value);

}  // namespace descent
