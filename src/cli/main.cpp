// descent: the command line. One subcommand per file (train.cpp, evaluate.cpp).
// Exit status: 0 success, 1 an error while working (bad data, a file that cannot be written),
// 2 a command line that cannot be used (unknown subcommand or option, bad value, missing file),
// 3 training stopped by a non-finite loss or gradient (optimize: a path reached one), 4 training
// diverged (the loss exploded, or a classifier stayed at chance; by train.divergence it stopped
// after that epoch or, with "warn", trained on; optimize: a path ran away), 130 interrupted by
// Ctrl-C, 143 by SIGTERM.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "descent/util/suggest.h"
#include "descent/util/work_context.h"

namespace {

// The subcommand or option the user probably meant, as a message ("" when there is no guess):
// it replaces CLI11's less helpful one ("A subcommand is required").
std::string suggestion(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  if (argc < 2) return "";
  const std::string first = argv[1];
  const CLI::App* sub = nullptr;
  for (const CLI::App* s : app.get_subcommands({}))
    if (s->get_name() == first) sub = s;
  if (!sub) {
    if (first.rfind("-", 0) == 0) return "";
    const std::string guess = descent::closest(first, names);
    return guess.empty()
               ? ""
               : "descent: unknown subcommand '" + first + "': did you mean '" + guess + "'?";
  }
  std::vector<std::string> options;
  for (const CLI::Option* o : sub->get_options())
    for (const std::string& name : o->get_lnames()) options.push_back("--" + name);
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) continue;
    arg = arg.substr(0, arg.find('='));
    if (std::find(options.begin(), options.end(), arg) != options.end()) continue;
    const std::string guess = descent::closest(arg, options);
    if (!guess.empty())
      return "descent " + first + ": unknown option '" + arg + "': did you mean '" + guess + "'?";
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"descent: train neural networks by gradient-based optimization"};
  app.require_subcommand(1);
  app.footer(
      "Each subcommand's --help has examples; descent train --list optimizers|schedules|datasets|"
      "keys shows what can be named. Docs: README.md, docs/.");
  app.set_version_flag("--version", "descent 0.1.0");
  cli::add_train_command(app);
  cli::add_evaluate_command(app);
  cli::add_schedule_command(app);
  cli::add_optimize_command(app);
  cli::add_bench_command(app);
  cli::add_report_command(app);
  cli::add_encode_command(app);
  cli::add_generate_command(app);
  cli::add_summary_command(app);
  cli::add_predict_command(app);
  cli::add_experiment_command(app);
  cli::add_landscape_command(app);
  cli::add_sweep_command(app);
  cli::add_compare_optimizers_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const std::string guess = e.get_exit_code() == 0 ? "" : suggestion(app, argc, argv);
    if (guess.empty()) return app.exit(e) == 0 ? 0 : 2;  // help, the version, or what is wrong
    std::fprintf(stderr, "%s\nRun with --help for more information.\n", guess.c_str());
    return 2;
  } catch (const cli::ExitStatus& status) {
    return status.code;
  } catch (const std::bad_alloc&) {
    // Sizes read from files and settings are checked before allocating (util/memory.h); this is
    // what slipped through, said with what was being done when it ran out.
    const std::string doing = descent::failed_work_context();
    std::fprintf(stderr, "descent: error: out of memory%s\n",
                 doing.empty() ? "" : (" while " + doing).c_str());
    return 1;
  } catch (const std::exception& e) {
    // Under mpirun every rank may say its error; all but rank 0 say which they are.
    const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
    const std::string who =
        rank && std::string(rank) != "0" ? std::string("descent (rank ") + rank + ")" : "descent";
    std::fprintf(stderr, "%s: error: %s\n", who.c_str(), e.what());
    return 1;
  }
  return 0;
}
