// descent landscape RUN_DIR [RUN_DIR2] [--out DIR] [--grid N] [--subset N] [--range R] [--seed N]
//                   [--include-biases] [--threads N] [--no-figures]
//
// The loss landscape of a trained classifier run (docs/experiments.md, loss-landscape): the loss
// and accuracy from the initial to the trained weights and, with RUN_DIR2, between the two runs;
// the plane of two filter-normalized random directions around the trained weights; and, when the
// run kept its per-epoch weights (checkpoint.keep_epoch_weights), its training path in its
// principal plane. Writes the data, result.json, landscape.html and PNGs into DIR (default
// RUN_DIR/landscape).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "descent/app/run_dir.h"
#include "descent/experiments/landscape_of_runs.h"
#include "descent/experiments/run.h"
#include "descent/util/console.h"
#include "descent/util/number_text.h"
#include "descent/util/threads.h"

namespace cli {

void add_landscape_command(CLI::App& app) {
  struct Options {
    std::string run, run2, out;
    int64_t grid = 51, subset = 10000;
    double range = 1;
    uint64_t seed = 0;
    int threads = 0;
    bool biases = false, no_figures = false, verbose = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd =
      app.add_subcommand("landscape", "Draw the loss landscape around a trained classifier run");
  cmd->footer(R"text(
Examples:
  descent landscape runs/mlp                           into runs/mlp/landscape/
  descent landscape runs/small-batch runs/large-batch  with the line between the two minima
  descent landscape runs/mlp --grid 21 --subset 2000   a quick look)text");
  cmd->add_option("run_dir", opts->run, "Run directory of a finished classifier run")->required();
  cmd->add_option("run_dir2", opts->run2, "A second run of the same model (optional)");
  cmd->add_option("--out", opts->out, "Directory (default: RUN_DIR/landscape)")->type_name("DIR");
  cmd->add_option("--grid", opts->grid, "Plane points per side, odd (default 51)")
      ->check(CLI::Range(int64_t{3}, int64_t{1001}));
  cmd->add_option("--subset", opts->subset, "Training examples measured on (default 10000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--range", opts->range, "The plane spans [-R, R] per direction (default 1)")
      ->type_name("R")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", opts->seed, "Seed of the directions and the examples (default 0)")
      ->type_name("N");
  cmd->add_flag("--include-biases", opts->biases, "Let the directions move the biases too");
  cmd->add_option("--threads", opts->threads, "Threads (0: all cores; at most 4 per core)")
      ->type_name("N")
      ->check(CLI::Range(0, descent::max_threads()));
  cmd->add_flag("--no-figures", opts->no_figures,
                "Write the data and result.json only (no HTML page or PNGs)");
  cmd->add_flag("-v,--verbose", opts->verbose, "Print progress while measuring");
  cmd->callback([opts] {
    if (opts->verbose) descent::set_verbosity(descent::Verbosity::Verbose);
    descent::set_num_threads(opts->threads);
    namespace ex = descent::experiments;
    // Checked before the output directory is made.
    if (opts->grid % 2 == 0)
      throw std::invalid_argument("--grid " + std::to_string(opts->grid) +
                                  ": expected an odd count of at least 3 (the trained point is "
                                  "the centre)");
    descent::finished_model_file(opts->run);
    if (!opts->run2.empty()) descent::finished_model_file(opts->run2);
    ex::RunOptions options;
    options.out = opts->out.empty() ? std::filesystem::path(opts->run) / "landscape"
                                    : std::filesystem::path(opts->out);
    options.seed = opts->seed;
    options.draw = !opts->no_figures;
    options.sets = {"run=" + opts->run,
                    "run2=" + (opts->run2.empty() ? std::string("none") : opts->run2),
                    "grid=" + std::to_string(opts->grid),
                    "subset=" + std::to_string(opts->subset),
                    "range=" + descent::shortest_text(opts->range),
                    std::string("biases=") + (opts->biases ? "true" : "false")};
    const ex::RunResult r = ex::run_experiment(ex::landscape_command(), options);
    std::printf("landscape of %s: %.1f s\n  measured: %s\n  wrote %s/ (result.json%s)\n",
                opts->run.c_str(), r.seconds, r.outcome.measured.c_str(), r.dir.c_str(),
                opts->no_figures ? "" : ", landscape.html and PNGs");
  });
}

}  // namespace cli
