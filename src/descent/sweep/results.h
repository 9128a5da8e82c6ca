#pragma once
// A sweep's results read back from its trials' run directories: one row per trial and one per
// configuration (mean, min and max over its seeds), ranked by the plan's metric. Written as
// results.csv (trials), results-by-configuration.csv and results.json (both). A trial still
// training or cut short is read as far as it got; halving's stops are replayed from the
// trials' metrics.jsonl, so the results depend on the directories alone.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "descent/sweep/sweep_plan.h"

namespace descent::sweep {

inline constexpr const char* kResultsCsv = "results.csv";
inline constexpr const char* kConfigResultsCsv = "results-by-configuration.csv";
inline constexpr const char* kResultsJson = "results.json";

struct TrialResult {
  Trial trial;
  // completed, early_stopping, diverged, non_finite (summary.json's stop_reason), halted
  // (stopped by successive halving), failed (a log's .failed), or unfinished.
  std::string status = "unfinished";
  int64_t epochs = 0, steps = 0;
  double seconds = 0;        // training time
  double final_value = NAN;  // the metric at the end (NaN when diverged or not reached)
  double best_value = NAN;   // its best over the epochs
  int64_t best_epoch = 0;
  int64_t halted_at = 0;  // the epoch successive halving stopped it at (0: not halted)
  std::map<std::string, double> finals;  // train_loss, val_loss, ..., test_loss, test_accuracy
  std::vector<double> curve;             // the metric per epoch (per-epoch metrics)
  std::vector<double> train_loss;        // per epoch
  std::vector<double> epoch_seconds;     // per epoch, validation included
  std::string failure;                   // a failed trial's message
};

struct ConfigResult {
  int64_t config = 0;
  std::vector<size_t> trials;               // indices into SweepResults::trials
  double mean = NAN, min = NAN, max = NAN;  // of final_value over the seeds that reached it
  double best_mean = NAN;                   // of best_value
  double seconds_mean = NAN;
  int64_t steps_mean = 0;
  int64_t halted_at = 0;
  int64_t rank = 0;  // 1 = best; halted configurations after every finished one
};

struct SweepResults {
  std::vector<TrialResult> trials;    // in the plan's order
  std::vector<ConfigResult> configs;  // in the plan's order
  std::vector<size_t> ranking;        // indices into configs, best first
};

// The metric of every trial in `alive` (configuration indices) at `epoch` (a trial stopped
// before it: its last epoch; diverged: NaN), averaged over seeds; the best `keep` fraction
// (at least one) survives, in rank order.
std::vector<int64_t> halving_survivors(const SweepPlan& plan, const std::vector<int64_t>& alive,
                                       int64_t epoch);

SweepResults read_results(const SweepPlan& plan);

// A number as the results files write it: in CSV "%.9g", empty when not finite; in JSON a number,
// or null when not finite.
std::string csv_number(double v);
nlohmann::json json_number(double v);

// results.csv, results-by-configuration.csv, results.json, each written atomically.
void write_results(const SweepPlan& plan, const SweepResults& results);

}  // namespace descent::sweep
