// descent compare-optimizers [--problems P1,P2,...] [--optimizers SPEC...] [--lrs LR1,LR2,...]
//                            [--seeds K] [--budget EPOCHS] [--quick] [--out DIR]
//                            [--parallel P] [--threads T] [--list] [-q | -v]
//
// The benchmark protocol of src/descent/sweep/compare_optimizers.h: per problem and optimizer, a
// learning-rate log grid, then the best rate with more seeds; a ranking, each problem's table
// and a performance profile. The same command continues a comparison that stopped.
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/sweep_console.h"
#include "descent/plot/provenance.h"
#include "descent/sweep/benchmark_problems.h"
#include "descent/sweep/compare_optimizers.h"
#include "descent/sweep/sweep_plan.h"

namespace cli {
namespace {

namespace sw = descent::sweep;

constexpr const char* kCompareExamples = R"text(
Examples:
  descent compare-optimizers --quick                       3 optimizers, 4 rates (about 20 s)
  descent compare-optimizers                               the default set (about half an hour)
  descent compare-optimizers --problems spirals,sine --optimizers sgd adam 'sgd:momentum=0.9'
  descent compare-optimizers --list                        the problems

Optimizers are SPECs without lr (the protocol tunes it); every other hyper-parameter keeps its
default unless the SPEC sets it. docs/sweeps.md describes the protocol and its report.)text";

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

void add_compare_optimizers_command(CLI::App& app) {
  struct Options {
    std::string problems, lrs, out;
    std::vector<std::string> optimizers;
    int64_t seeds = 0, budget = 0;
    int parallel = 0, threads = 0;
    bool quick = false, list = false, no_report = false, quiet = false, verbose = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "compare-optimizers",
      "Benchmark optimizers: a tuned learning rate and several seeds each, on several problems");
  cmd->footer(kCompareExamples);
  cmd->add_option("--problems", opts->problems, "Problems, comma-separated (default: all; --list)")
      ->type_name("P1,P2,...");
  cmd->add_option("--optimizers", opts->optimizers,
                  "Optimizer SPECs, space-separated or repeated (default: sgd, momentum, "
                  "Nesterov, adagrad, rmsprop, adam; --quick: sgd, momentum, adam)")
      ->type_name("SPEC...");
  cmd->add_option("--lrs", opts->lrs,
                  "Learning rates to tune over (default 1e-4 .. 1 in half decades; --quick: "
                  "1e-3, 1e-2, 0.1, 1)")
      ->type_name("LR1,LR2,...");
  cmd->add_option("--seeds", opts->seeds, "Seeds at the best learning rate (default 3; --quick 2)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--budget", opts->budget, "Epochs of every trial (default: each problem's own)")
      ->type_name("EPOCHS")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--quick", opts->quick, "Small problems, fewer optimizers and rates: minutes");
  cmd->add_option("--out", opts->out, "Directory (default: comparisons/compare-<fingerprint>)")
      ->type_name("DIR");
  cmd->add_option("--parallel", opts->parallel, "Trials at once (default: cores / threads)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", opts->threads, "Threads per trial (default: cores / parallel)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--list", opts->list, "List the problems and exit");
  cmd->add_flag("--no-report", opts->no_report, "Do not write report.html (nor the sweeps' own)");
  auto* quiet = cmd->add_flag("-q,--quiet", opts->quiet, "Print only the ranking and errors");
  cmd->add_flag("-v,--verbose", opts->verbose, "Print a line as each trial ends")->excludes(quiet);
  cmd->callback([opts] {
    if (opts->list) {
      for (const sw::BenchmarkProblem& p : sw::benchmark_problems())
        std::printf("  %-20s %s\n", p.name.c_str(), p.what.c_str());
      return;
    }
    sw::CompareOptions o;
    o.problems = split(opts->problems);
    o.optimizers = opts->optimizers;
    for (const std::string& lr : split(opts->lrs)) {
      char* end = nullptr;
      const double v = std::strtod(lr.c_str(), &end);
      if (*end)
        throw std::invalid_argument("--lrs '" + opts->lrs + "': '" + lr + "' is not a number");
      o.lrs.push_back(v);
    }
    o.seeds = opts->seeds;
    o.epochs = opts->budget;
    o.quick = opts->quick;
    o.parallel = opts->parallel;
    o.threads = opts->threads;
    o.command = descent::plot::command_line();
    o.report = !opts->no_report;
    if (opts->out.empty()) {
      std::string what = fmt::format("{}|{}|{}|{}|{}", opts->problems, opts->lrs, opts->seeds,
                                     opts->budget, opts->quick);
      for (const std::string& s : opts->optimizers) what += "|" + s;
      opts->out = "comparisons/compare-" + sw::fingerprint(what);
    }
    o.dir = opts->out;
    o.progress = sweep_progress(opts->quiet, opts->verbose);
    if (!opts->quiet) std::printf("comparison directory %s\n", opts->out.c_str());
    const sw::CompareOutcome outcome = sw::compare_optimizers(o);
    if (outcome.interrupted) stop_interrupted("comparison");
    std::printf("ranking (mean rank over %zu problems, final validation loss):\n",
                outcome.results["problems"].size() /
                    std::max<size_t>(1, outcome.results["ranking"].size()));
    int place = 0;
    for (const auto& r : outcome.results["ranking"])
      std::printf("  %d. %-36s mean rank %.2f, best on %.0f%% of problems\n", ++place,
                  r["optimizer"].get<std::string>().c_str(), r["mean_rank"].get<double>(),
                  100 * r["best_on"].get<double>());
    if (!opts->quiet) std::printf("results: %s/results.csv\n", opts->out.c_str());
    if (!outcome.report_error.empty())
      std::fprintf(stderr, "descent: warning: report.html not written: %s\n",
                   outcome.report_error.c_str());
    else if (o.report && !opts->quiet)
      std::printf("report: %s/report.html\n", opts->out.c_str());
    if (outcome.failed > 0) {
      std::fprintf(stderr,
                   "descent: error: %d trial%s failed (each sweep's logs/ says why); the same "
                   "command retries them\n",
                   outcome.failed, outcome.failed == 1 ? "" : "s");
      throw ExitStatus{1};
    }
  });
}

}  // namespace cli
