// descent experiment NAME [--quick] [--out DIR] [--set key=value]... [--seed N] [--threads N]
// descent experiment --list [NAME]
//
// Runs one of the notes' experiments (src/descent/experiments/, docs/experiments.md) into its
// directory (default experiments/NAME) and prints the claim, what was measured and whether they
// agree. --list names every experiment with what it shows; --list NAME shows its settings.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "descent/experiments/registry.h"
#include "descent/experiments/run.h"
#include "descent/util/console.h"
#include "descent/util/threads.h"

namespace cli {
namespace {

namespace ex = descent::experiments;

constexpr const char* kExperimentExamples = R"text(
Examples:
  descent experiment --list                               every experiment, one line each
  descent experiment --list noise-ball                    its settings and their defaults
  descent experiment curse-of-dimensionality              the full version, into experiments/
  descent experiment noise-ball --quick --out /tmp/nb     the reduced version (seconds)
  descent experiment noise-ball --set batches=1,8,64      a setting changed)text";

// Lines of `text` after `label`, wrapped to the terminal.
void print_wrapped(const std::string& label, const std::string& text) {
  const int columns = descent::terminal_columns(stdout);
  const std::string line = label + text;
  std::printf("%s", columns > 20 ? descent::wrap_words(line, columns, "    ").c_str()
                                 : (line + "\n").c_str());
}

void print_experiments() {
  size_t width = 0;
  for (const ex::Experiment& e : ex::all_experiments()) width = std::max(width, e.name.size());
  for (const ex::Experiment& e : ex::all_experiments())
    std::printf("  %-*s  %s\n", static_cast<int>(width), e.name.c_str(), e.shows.c_str());
}

const char* kind_name(ex::Param::Kind kind) {
  switch (kind) {
    case ex::Param::Kind::Number:
      return "number";
    case ex::Param::Kind::Integer:
      return "integer";
    case ex::Param::Kind::Numbers:
      return "numbers";
    case ex::Param::Kind::Integers:
      return "integers";
    case ex::Param::Kind::Text:
      return "word";
  }
  return "";
}

void print_settings(const ex::Experiment& e) {
  std::printf("%s: %s\n", e.name.c_str(), e.shows.c_str());
  print_wrapped("  claim: ", e.claim);
  if (e.params.empty()) {
    std::printf("  no settings\n");
    return;
  }
  std::printf("  settings (--set KEY=VALUE; the full default, then --quick's):\n");
  for (const ex::Param& p : e.params) {
    std::printf("    %s (%s): %s  [quick: %s]\n", p.key.c_str(), kind_name(p.kind), p.full.c_str(),
                p.quick.c_str());
    print_wrapped("        ", p.doc);
  }
}

}  // namespace

void add_experiment_command(CLI::App& app) {
  struct Options {
    std::string name, out, seed = "0", threads;
    std::vector<std::string> sets;
    bool quick = false, list = false, no_figures = false, quiet = false, verbose = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "experiment", "Run one of the notes' experiments and draw it (--list names them)");
  cmd->footer(kExperimentExamples);
  cmd->add_option("name", opts->name, "The experiment (descent experiment --list)");
  cmd->add_flag("--list", opts->list,
                "List the experiments; with a NAME, that experiment's settings");
  cmd->add_flag("--quick", opts->quick, "The reduced version (seconds; what the tests run)");
  cmd->add_option("--out", opts->out, "Directory (default: experiments/NAME)")->type_name("DIR");
  cmd->add_option("--set", opts->sets, "Change a setting, e.g. --set dims=1,10,100 (repeatable)")
      ->allow_extra_args(false)
      ->type_name("KEY=VALUE");
  cmd->add_option("--seed", opts->seed, "Random seed (default 0)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", opts->threads, "Threads for every parallel part (0: all cores)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-figures", opts->no_figures,
                "Write the data and result.json only (no HTML page or PNGs)");
  auto* quiet = cmd->add_flag("-q,--quiet", opts->quiet, "Print only the outcome line");
  cmd->add_flag("-v,--verbose", opts->verbose, "Print progress while measuring")->excludes(quiet);
  cmd->callback([opts] {
    if (opts->list) {
      if (opts->name.empty())
        print_experiments();
      else
        print_settings(ex::find_experiment(opts->name));
      return;
    }
    if (opts->name.empty())
      throw std::invalid_argument("name an experiment (descent experiment --list shows them)");
    descent::set_verbosity(opts->quiet     ? descent::Verbosity::Quiet
                           : opts->verbose ? descent::Verbosity::Verbose
                                           : descent::Verbosity::Normal);
    const ex::Experiment& e = ex::find_experiment(opts->name);
    if (!opts->threads.empty()) {
      const int threads = std::stoi(opts->threads);
      if (threads > descent::max_threads())
        throw std::invalid_argument("--threads " + opts->threads + ": at most " +
                                    std::to_string(descent::max_threads()) +
                                    " (4 per core) on this machine");
      descent::set_num_threads(threads);
    }
    ex::RunOptions options;
    options.out = opts->out;
    options.quick = opts->quick;
    options.seed = std::stoull(opts->seed);
    options.sets = opts->sets;
    options.draw = !opts->no_figures;
    const ex::RunResult r = ex::run_experiment(e, options);
    const char* verdict = r.outcome.agrees ? "agrees with the claim" : "does NOT agree";
    if (descent::verbosity() == descent::Verbosity::Quiet) {
      std::printf("%s: %s (%s)\n", e.name.c_str(), verdict, r.dir.c_str());
      return;
    }
    std::printf("%s%s, seed %s: %.1f s\n", e.name.c_str(), opts->quick ? " (quick)" : "",
                opts->seed.c_str(), r.seconds);
    print_wrapped("  claim:    ", e.claim);
    print_wrapped("  measured: ", r.outcome.measured);
    std::printf("  verdict:  %s\n", verdict);
    std::printf("  wrote %s/ (result.json%s)\n", r.dir.c_str(),
                opts->no_figures ? "" : (", " + e.name + ".html and PNGs").c_str());
  });
}

}  // namespace cli
