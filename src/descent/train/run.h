#pragma once
// A training run as the command line makes it: configuration in, run directory out.
//   <out>/config.toml             the resolved configuration (written first)
//   <out>/metrics.jsonl           one JSON object per epoch
//   <out>/checkpoint.safetensors  every checkpoint.every epochs, at the end and on Ctrl-C
//   <out>/curvature.jsonl         the ill-conditioning probes, with [curvature]
//   <out>/model.safetensors       the final weights, PyTorch state_dict names
//   <out>/summary.json            written last, when training ended (completed, stopped early,
//                                 or stopped by a non-finite loss: then without model and test)
// An interrupted run (Ctrl-C) leaves its checkpoint and no summary; resume_run continues it.
// Random streams: model initialization draws from Generator(seed), the epochs' shuffles from
// Generator(seed + 2), dropout masks from streams derived from seed + 7 (network_spec.h); the
// data's streams are listed in experiment_data.h.
#include <filesystem>
#include <memory>

#include "descent/io/config.h"
#include "descent/nn/loss.h"
#include "descent/nn/sequential.h"
#include "descent/optim/optimizer.h"
#include "descent/schedule/scheduler.h"
#include "descent/train/experiment_data.h"
#include "descent/train/metrics.h"

namespace descent {

// Everything a run is made of, built and checked before anything is written to disk.
struct Experiment {
  Config config;
  Dataset train, validation, test;
  std::unique_ptr<Sequential> model;
  std::unique_ptr<Optimizer> optimizer;
  std::shared_ptr<Scheduler> schedule;  // null without [schedule]
};

Experiment build_experiment(const Config& config);

struct RunOutcome {
  TrainResult train;
  EvalResult test;
  std::filesystem::path dir;
};

inline constexpr const char* kCheckpointFile = "checkpoint.safetensors";

// Trains and writes the run directory (which must not exist or be empty). Ctrl-C stops it after
// the step in progress with a checkpoint (outcome.train.stop_reason "interrupted").
RunOutcome train_run(Experiment& experiment, const std::filesystem::path& out_dir);

// A run directory's experiment, for resuming: its config.toml with `overrides`, of which only
// train.epochs, checkpoint.every, threads, early_stopping.patience and early_stopping.min_delta
// may change (anything else throws ConfigError saying so). Throws when there is no checkpoint.
Experiment load_resumable_run(const std::filesystem::path& run_dir,
                              const std::vector<std::string>& overrides);

// Continues the run from its checkpoint to train.epochs. With the same thread count, the final
// weights are bit-identical to a run that was never stopped.
RunOutcome resume_run(Experiment& experiment, const std::filesystem::path& run_dir);

// Rebuilds the model of a finished run from its config.toml and model.safetensors and
// evaluates it on the test set.
EvalResult evaluate_run(const std::filesystem::path& run_dir);

// The loss for a task: the named loss, taking class indices through one-hot targets when the
// loss compares vectors (mse, binary_cross_entropy).
LossFunction task_loss(const std::string& name, int64_t num_classes);

// Throws unless `dir` is missing or an empty directory (checked before any work starts).
void check_run_dir_is_free(const std::filesystem::path& dir);

// runs/<date-time>, with a suffix when that exists already.
std::filesystem::path default_run_dir();

}  // namespace descent
