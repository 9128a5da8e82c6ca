#pragma once
// A training run as the command line makes it: an experiment in, a run directory out (the files
// are listed in run_dir.h). The epochs' shuffles draw from Generator(seed + 2).
#include <filesystem>
#include <string>
#include <vector>

#include "descent/app/experiment.h"
#include "descent/app/run_dir.h"
#include "descent/train/evaluate.h"
#include "descent/train/trainer.h"

namespace descent {

struct RunOutcome {
  TrainResult train;
  EvalResult test;
  std::filesystem::path dir;
  // Where a run stopped by Ctrl-C left its checkpoint (a stacked run: in the phase's directory).
  std::filesystem::path checkpoint;
  // With report.write: why report.html could not be written (empty when it was). The run itself
  // is complete either way.
  std::string report_error;
  // Which weights model.safetensors holds: those of epoch `weights_epoch` (0: none written),
  // the best one put back by early stopping (weights_best) or else the last.
  int64_t weights_epoch = 0;
  bool weights_best = false;
  std::string best_by;  // what best_epoch is best by: val_loss, train_loss, or early stopping's
};

// Trains and writes the run directory (which must not exist or be empty); a stacked autoencoder
// trains phase by phase (stacked_run.h). Ctrl-C stops it after
// the step in progress with a checkpoint (StopReason::Interrupted). However it ends, report.html
// is written last when report.write is on.
// Under mpirun (docs/distributed.md) every rank calls it and trains its shard of each batch;
// rank 0 alone claims and writes the run directory and prints.
RunOutcome train_run(Experiment& experiment, const std::filesystem::path& out_dir);

// Whether this process writes the run directory: rank 0, or the only process.
bool writes_run_dir();

// A run directory's experiment, for resuming: its config.toml with `overrides`, of which only
// train.epochs, checkpoint.every, threads, early_stopping.patience, early_stopping.min_delta
// and report.write may change (anything else throws ConfigError saying so). Throws when there is no
// checkpoint.
Experiment load_resumable_run(const std::filesystem::path& run_dir,
                              const std::vector<std::string>& overrides);

// Continues the run from its checkpoint to train.epochs (a stacked autoencoder: from the phase
// that was cut short). With the same thread count, the final
// weights are bit-identical to a run that was never stopped.
RunOutcome resume_run(Experiment& experiment, const std::filesystem::path& run_dir);

// The test results in summary.json: test_loss, test_accuracy, test_<term> for every term of the
// objective and, for images, PSNR in dB (test_psnr_db, ...).
void add_test_results(nlohmann::json& summary, const EvalResult& test, const Config& config,
                      const Dataset& test_set);

// A finished run's model rebuilt from its config.toml, data.json and model.safetensors, in
// evaluation mode.
struct TrainedModel {
  std::filesystem::path dir;
  Config config;
  DataSignature data;
  std::unique_ptr<Module> model;
};

// Throws naming the directory when it is not a run or has no model.safetensors.
TrainedModel load_trained_model(const std::filesystem::path& run_dir);

// The run's objective on `data` (a model.kind's own terms: accuracy, reconstruction, ...).
EvalResult evaluate_model(TrainedModel& run, const Dataset& data);

// Optimizer steps in an epoch of `train_size` examples (batch size, drop_last, accumulate).
int64_t optimizer_steps_per_epoch(const Config& config, int64_t train_size);

// What the run's schedule plans against the run's length, in the schedule's own steps (epochs or
// optimizer steps): "" when they fit (schedule/horizon.h). A stacked autoencoder's phases are not
// checked.
std::string schedule_horizon_warning(const Experiment& experiment);

// Rebuilds the model of a finished run from its config.toml and model.safetensors and
// evaluates it on the test set.
EvalResult evaluate_run(const std::filesystem::path& run_dir);

}  // namespace descent
