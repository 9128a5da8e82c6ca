#pragma once
// `descent compare-optimizers`: a benchmark protocol in the spirit of DeepOBS. For each problem
// (benchmark_problems.h) and each optimizer (a SPEC: "sgd:momentum=0.9"), the learning rate is
// tuned on a log grid with the other hyper-parameters at their defaults (one seed), and the best
// learning rate is trained again with more seeds. Each problem is two sweeps (sweep.h) in
// DIR/<problem>/tuning and DIR/<problem>/seeds, so a stopped comparison continues where it was.
//
// Reported: each optimizer's final validation loss (mean, min, max over seeds) at its best
// learning rate; the epochs, optimizer steps and seconds it takes to reach the problem's target
// (the best optimizer's final mean plus 10%); and the performance profile across problems: for
// each optimizer the fraction of problems on which its final loss is within a factor tau of the
// best optimizer's (Dolan and More 2002), for tau from 1 up.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace descent::sweep {

struct CompareOptions {
  std::filesystem::path dir;
  std::vector<std::string> problems;    // empty: every problem of the table
  std::vector<std::string> optimizers;  // SPECs; empty: default_optimizers()
  std::vector<double> lrs;              // empty: default_learning_rates(quick)
  int64_t seeds = 0;                    // seeds at the best learning rate; 0: 3 (quick: 2)
  int64_t epochs = 0;                   // the budget: train.epochs of every problem; 0: its own
  bool quick = false;                   // the problems' small sizes, fewer optimizers and rates
  int parallel = 0, threads = 0;        // as for a sweep
  std::filesystem::path program;        // the trials' descent program; empty: this one
  std::string command;
  bool report = true;  // report.html, and each sweep's own
  std::function<void(const std::string&)> progress = {};
};

std::vector<std::string> default_optimizers(bool quick);
std::vector<double> default_learning_rates(bool quick);

struct CompareOutcome {
  bool interrupted = false;
  int failed = 0;
  nlohmann::json results;    // what results.json holds
  std::string report_error;  // why report.html was not written ("" when it was)
};

// Throws before training when a problem or optimizer is unknown, a setting is bad, or a
// problem's data is missing.
CompareOutcome compare_optimizers(const CompareOptions& options);

// The performance profile: for each optimizer (row of `values`, one value per problem, lower is
// better, NaN = failed), the fraction of problems within tau times the best at each tau.
std::vector<std::vector<double>> performance_profile(const std::vector<std::vector<double>>& values,
                                                     const std::vector<double>& taus);

}  // namespace descent::sweep
