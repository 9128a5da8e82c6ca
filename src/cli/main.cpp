// descent: the command line. One subcommand per file (train.cpp, evaluate.cpp).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"descent: train neural networks by gradient-based optimization"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "descent 0.1.0");
  cli::add_train_command(app);
  cli::add_evaluate_command(app);
  cli::add_schedule_command(app);
  cli::add_optimize_command(app);
  cli::add_bench_command(app);
  cli::add_report_command(app);
  cli::add_encode_command(app);
  cli::add_generate_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const cli::ExitStatus& status) {
    return status.code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "descent: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
