#pragma once
// Each subcommand registers itself on the app and runs from its callback; errors propagate as
// exceptions to main, which prints them and exits non-zero.
#include <CLI/CLI.hpp>

namespace cli {

// Thrown by a subcommand that has reported its outcome itself and ends with a status other than 0
// (an interrupted or diverged training run).
struct ExitStatus {
  int code;
};

void add_train_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_schedule_command(CLI::App& app);    // schedule.cpp
void add_optimize_command(CLI::App& app);    // optimize.cpp
void add_bench_command(CLI::App& app);       // bench.cpp: the `bench` group
void add_report_command(CLI::App& app);      // report.cpp
void add_encode_command(CLI::App& app);      // encode.cpp: an autoencoder run's codes
void add_generate_command(CLI::App& app);    // generate.cpp: samples from a VAE's prior
void add_summary_command(CLI::App& app);     // summary.cpp: layers, shapes, parameter counts
void add_predict_command(CLI::App& app);     // predict.cpp: a run's predictions on new inputs
void add_experiment_command(CLI::App& app);  // experiment.cpp: the notes' experiments
void add_landscape_command(CLI::App& app);   // landscape.cpp: a trained run's loss landscape
void add_sweep_command(CLI::App& app);       // sweep.cpp: grid and random search over seeds
void add_compare_optimizers_command(CLI::App& app);  // compare_optimizers.cpp: the benchmark

}  // namespace cli
