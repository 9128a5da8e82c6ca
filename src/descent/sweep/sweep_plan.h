#pragma once
// A sweep's plan: every trial it trains (a configuration and a seed), written to DIR/sweep.json
// when the sweep starts. The same command run again finds the same plan there and continues it;
// a different command pointed at the same directory is refused before anything changes. Every
// configuration is loaded and checked (keys, values, ranges) before the first trial starts.
//
// A sweep directory:
//   sweep.json                 this plan
//   base.toml                  a copy of --config's file, which every trial reads (edits to the
//                              original after the start do not reach a half-done sweep)
//   cfg003-seed1/              trial runs: normal run directories (run_dir.h)
//   logs/cfg003-seed1.log      a trial's console output; .failed beside it when it failed
//   results.csv, results.json  one row per trial and per configuration (results.h)
//   report.html                the sweep drawn (sweep_report.h)
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/sweep/search_space.h"

namespace descent::sweep {

inline constexpr const char* kPlanFile = "sweep.json";
inline constexpr const char* kBaseConfigFile = "base.toml";
inline constexpr const char* kLogDir = "logs";

// The quantity a sweep compares configurations by: an epoch metric of metrics.jsonl (val_loss,
// val_accuracy, train_loss, train_accuracy) at the last epoch, or a test number of summary.json
// (test_loss, test_accuracy). Accuracies are better higher, losses lower.
struct Metric {
  std::string name = "val_loss";
  bool per_epoch() const { return name.rfind("test_", 0) != 0; }
  bool higher_is_better() const { return name.find("accuracy") != std::string::npos; }
  // Whether a is better than b; NaN (a diverged trial) is worse than any number.
  bool better(double a, double b) const;
};
// Throws std::invalid_argument listing the accepted names.
Metric parse_metric(const std::string& name);

// Successive halving: at each of `epochs` (increasing, below the trials' train.epochs), every
// configuration still in the race has trained that far; the best `keep` fraction of them (by
// the metric's mean over seeds, at least one) goes on, the others stop there.
struct Halving {
  std::vector<int64_t> epochs;
  double keep = 0.5;
  bool on() const { return !epochs.empty(); }
};

struct Trial {
  std::string name;    // its directory's name, "cfg003-seed1"
  int64_t config = 0;  // index into SweepPlan::configurations
  int64_t seed_index = 0;
  uint64_t seed = 0;
};

// The --set overrides of one configuration's values. The key "optimizer" takes an optimizer SPEC
// ("sgd:momentum=0.9,nesterov=true", brackets around it keep its commas in a --grid list), which
// sets optimizer.name and each of its arguments: so one sweep compares optimizers with settings
// of their own.
std::vector<std::string> assignment_sets(const Assignment& values);

struct SweepPlan {
  std::filesystem::path dir;
  std::string base_config;        // the --config file's text ("" without one)
  std::vector<std::string> sets;  // --set overrides of every trial
  SearchSpace space;
  std::vector<Assignment> configurations;
  std::vector<uint64_t> seeds;  // the base configuration's seed, +1, +2, ...
  int64_t epochs = 0;           // the trials' train.epochs
  Metric metric;
  Halving halving;
  std::vector<Trial> trials;  // configuration-major: cfg000-seed0, cfg000-seed1, ...

  // The --set overrides that make `trial`'s configuration, seed included.
  std::vector<std::string> overrides(const Trial& trial) const;
  std::filesystem::path trial_dir(const Trial& trial) const { return dir / trial.name; }
  // "optimizer.lr=0.01, optimizer.name=adam": what the configuration sets, for tables.
  std::string label(int64_t config) const;
};

struct PlanRequest {
  std::filesystem::path dir;
  std::filesystem::path config_file;  // empty: the defaults
  std::vector<std::string> sets;
  SearchSpace space;
  int64_t seeds = 1;
  Metric metric;
  Halving halving;
};

// The plan of a request, every configuration loaded and checked; throws std::invalid_argument
// naming the configuration, its values and what is wrong, before anything is written.
SweepPlan make_plan(const PlanRequest& request);

nlohmann::json to_json(const SweepPlan& plan);

// Writes sweep.json and base.toml when the directory has no plan yet; when it has one, throws
// unless it is this plan (the sweep goes on where it stopped). The directory is created.
void write_or_check_plan(const SweepPlan& plan);

// 8 hex digits naming a text (FNV-1a): default directories named by what a command sweeps, so the
// same command finds its directory again.
std::string fingerprint(const std::string& text);

// The plan a sweep directory holds (for results and reports of a finished or running sweep).
SweepPlan read_plan(const std::filesystem::path& dir);

}  // namespace descent::sweep
