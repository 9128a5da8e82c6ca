// descent sweep [--config FILE] [--grid key=v1,v2,...]... [--random 'key=DIST(...)']...
//               [--trials N] [--seeds K] [--metric NAME] [--halving E1,E2,... [--halving-keep F]]
//               [--parallel P] [--threads T] [--out DIR] [--set key=value]... [--no-report]
//
// Trains every configuration of a grid, or N sampled ones, each with K seeds, as normal run
// directories under DIR, then writes the results tables and report.html (src/descent/sweep/).
// The same command continues a sweep that was killed or interrupted.
// Exit status: 0 when every trial trained (diverged ones included), 1 when some failed or the
// sweep was refused, 2 for a bad command line, 130/143 after Ctrl-C/SIGTERM.
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/sweep_console.h"
#include "descent/app/report.h"
#include "descent/io/atomic_file.h"
#include "descent/plot/provenance.h"
#include "descent/sweep/sweep.h"
#include "descent/sweep/sweep_report.h"
#include "descent/util/console.h"

namespace cli {
namespace {

namespace sw = descent::sweep;

constexpr const char* kSweepExamples = R"text(
Examples:
  descent sweep --grid optimizer.lr=0.3,0.1,0.03,0.01 --seeds 3 --out sweeps/lr
  descent sweep --grid optimizer.name=sgd,adam --random 'optimizer.lr=loguniform(1e-4,1)' \
      --trials 8 --seeds 2 --set data.name=spirals --set train.epochs=20
  descent sweep --random 'optimizer.lr=loguniform(1e-5,1e-1)' \
      --random 'optimizer.weight_decay=choice(0,1e-4,1e-2)' --trials 32 --halving 2,4
  descent sweep --grid 'optimizer=sgd,[sgd:momentum=0.9,nesterov=true],adam' --grid optimizer.lr=0.1,0.01
                                        optimizers each with settings of their own (SPECs)
  mpirun -np 4 descent sweep ...        each rank trains a quarter of the trials

Distributions: uniform(LO,HI), loguniform(LO,HI), int(LO,HI), choice(A,B,...). The same command
again continues a sweep that stopped (finished trials are kept, cut-short ones resume). Every
configuration is checked before the first trial starts. docs/sweeps.md has the details.)text";

std::vector<int64_t> parse_epochs(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    char* end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end || v < 1)
      throw std::invalid_argument("--halving '" + text +
                                  "': expected epochs as whole numbers, e.g. --halving 2,4");
    out.push_back(v);
  }
  return out;
}

void print_ranking(const sw::SweepOutcome& outcome) {
  const auto& plan = outcome.plan;
  const auto& r = outcome.results;
  const size_t shown = std::min<size_t>(5, r.ranking.size());
  std::printf("best %zu of %zu configurations by %s (mean over %zu seed%s):\n", shown,
              r.ranking.size(), plan.metric.name.c_str(), plan.seeds.size(),
              plan.seeds.size() == 1 ? "" : "s");
  for (size_t i = 0; i < shown; ++i) {
    const sw::ConfigResult& c = r.configs[r.ranking[i]];
    std::printf("  %2lld. %-10s %s\n", static_cast<long long>(c.rank),
                descent::format_number(c.mean).c_str(), plan.label(c.config).c_str());
  }
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  struct Options {
    std::string config, out, metric = "val_loss", halving, seed;
    std::vector<std::string> sets, grid, random;
    int64_t trials = 10, seeds = 1;
    double keep = 0.5;
    int parallel = 0, threads = 0;
    bool no_report = false, quiet = false, verbose = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Train a grid or a random sample of configurations, each with several seeds");
  cmd->footer(kSweepExamples);
  cmd->add_option("--config", opts->config, "TOML configuration every trial starts from")
      ->check(CLI::ExistingFile);
  cmd->add_option("--grid", opts->grid, "A key and its values: every combination is trained")
      ->type_name("KEY=V1,V2,...")
      ->allow_extra_args(false);
  cmd->add_option("--random", opts->random,
                  "A key and its distribution: uniform(LO,HI), loguniform(LO,HI), int(LO,HI), "
                  "choice(A,B,...), sampled --trials times")
      ->type_name("KEY=DIST")
      ->allow_extra_args(false);
  cmd->add_option("--trials", opts->trials, "Configurations drawn for --random (default 10)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seeds", opts->seeds, "Seeds per configuration: seed, seed+1, ... (default 1)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--metric", opts->metric,
                  "What ranks configurations: val_loss (default), val_accuracy, train_loss, "
                  "train_accuracy, test_loss, test_accuracy");
  cmd->add_option("--halving", opts->halving,
                  "Successive halving: at these epochs keep the best --halving-keep fraction")
      ->type_name("E1,E2,...");
  cmd->add_option("--halving-keep", opts->keep, "Fraction kept at each halving epoch (0.5)");
  cmd->add_option("--parallel", opts->parallel, "Trials at once (default: cores / threads)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", opts->threads, "Threads per trial (default: cores / parallel)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--out", opts->out, "Sweep directory (default: sweeps/sweep-<fingerprint>)")
      ->type_name("DIR");
  cmd->add_option("--set", opts->sets,
                  "A setting of every trial (repeatable; the keys: descent train --list keys)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--seed", opts->seed, "The first seed (same as --set seed=N)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-report", opts->no_report, "Do not write report.html");
  auto* quiet = cmd->add_flag("-q,--quiet", opts->quiet, "Print only the ranking and errors");
  cmd->add_flag("-v,--verbose", opts->verbose, "Print a line as each trial ends")->excludes(quiet);
  cmd->callback([opts, cmd] {
    sw::SweepOptions o;
    o.plan.config_file = opts->config;
    o.plan.sets = opts->sets;
    if (!opts->seed.empty()) o.plan.sets.push_back("seed=" + opts->seed);
    for (const std::string& g : opts->grid) o.plan.space.axes.push_back(sw::parse_grid_axis(g));
    for (const std::string& r : opts->random) o.plan.space.axes.push_back(sw::parse_random_axis(r));
    if (opts->random.empty() && cmd->count("--trials") > 0)
      throw std::invalid_argument("--trials counts the draws of --random, and none is given");
    o.plan.space.trials = opts->trials;
    o.plan.seeds = opts->seeds;
    o.plan.metric = sw::parse_metric(opts->metric);
    if (!opts->halving.empty()) o.plan.halving.epochs = parse_epochs(opts->halving);
    o.plan.halving.keep = opts->keep;
    if (opts->out.empty()) {
      std::string what = opts->config.empty() ? "" : descent::read_file(opts->config);
      for (const auto* list : {&o.plan.sets, &opts->grid, &opts->random})
        for (const std::string& s : *list) what += "\n" + s;
      what += fmt::format("\n{} {} {} {} {}", opts->trials, opts->seeds, opts->metric,
                          opts->halving, opts->keep);
      opts->out = "sweeps/sweep-" + sw::fingerprint(what);
    }
    o.plan.dir = opts->out;
    o.parallel = opts->parallel;
    o.threads = opts->threads;
    o.report = !opts->no_report;
    o.command = descent::plot::command_line();
    o.progress = sweep_progress(opts->quiet, opts->verbose);
    if (!opts->quiet) std::printf("sweep directory %s\n", opts->out.c_str());
    const sw::SweepOutcome outcome = sw::run_sweep(o);
    if (outcome.interrupted) stop_interrupted("sweep");
    if (!outcome.wrote_results) return;  // another rank writes them
    print_ranking(outcome);
    if (!opts->quiet)
      std::printf("results: %s\n", (outcome.plan.dir / sw::kResultsCsv).string().c_str());
    if (!outcome.report_error.empty())
      std::fprintf(stderr, "descent: warning: report.html not written: %s\n",
                   outcome.report_error.c_str());
    else if (o.report && !opts->quiet)
      std::printf("report: %s\n", (outcome.plan.dir / sw::kSweepReportFile).string().c_str());
    if (outcome.failed > 0) {
      std::fprintf(stderr,
                   "descent: error: %d trial%s failed (%s has each one's log and .failed); the "
                   "same command retries them\n",
                   outcome.failed, outcome.failed == 1 ? "" : "s",
                   (outcome.plan.dir / sw::kLogDir).string().c_str());
      throw ExitStatus{1};
    }
  });
}

}  // namespace cli
