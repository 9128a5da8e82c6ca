#pragma once
// A run directory and the files in it, named once here for every command that writes or reads
// them (train, resume, evaluate, predict):
//   config.toml             the resolved configuration (written first)
//   data.json               what the model takes and gives: its inputs (count, CSV column names,
//                           image size), class names or regression width (data_signature.h)
//   metrics.jsonl           one JSON object per epoch
//   steps.jsonl             one JSON object per optimizer step (every metrics.every_steps-th)
//   checkpoint.safetensors  every checkpoint.every epochs, at the end and on Ctrl-C
//   curvature.jsonl         the ill-conditioning probes, with [curvature]
//   model.safetensors       the final weights, PyTorch state_dict names
//   summary.json            written when training ended (completed, stopped early, or
//                           stopped by a non-finite loss: then without model and test)
//   diagnostics.json        internals for benchmarks (buffer reuse), beside summary.json
//   report.html             the run drawn (descent report), written last, with report.write
//   .descent.lock           the lock a training process holds (run_lock.h); it stays, unheld
//   weights/                with checkpoint.keep_epoch_weights: epoch-NNNN.safetensors, the
//                           weights before training (0) and after every epoch
//                           (train/callbacks/epoch_weights.h)
// An interrupted run (Ctrl-C, a kill) leaves its checkpoint and no summary; resume_run continues
// it. model.safetensors is removed when a run resumes, so that it only ever holds the weights
// the run's checkpoint ended with: a resume cut short leaves none, not a stale one.
#include <filesystem>

namespace descent {

inline constexpr const char* kConfigFile = "config.toml";
inline constexpr const char* kDataFile = "data.json";
inline constexpr const char* kMetricsFile = "metrics.jsonl";
inline constexpr const char* kStepsFile = "steps.jsonl";
inline constexpr const char* kCheckpointFile = "checkpoint.safetensors";
inline constexpr const char* kCurvatureFile = "curvature.jsonl";
inline constexpr const char* kModelFile = "model.safetensors";
inline constexpr const char* kSummaryFile = "summary.json";
inline constexpr const char* kReportFile = "report.html";
inline constexpr const char* kDiagnosticsFile = "diagnostics.json";
inline constexpr const char* kLockFile = ".descent.lock";
inline constexpr const char* kEpochWeightsDir = "weights";

// Whether `dir` holds nothing but its lock file and the temporaries of writes cut short (a run
// killed in its first moments leaves only a configuration temporary): such a directory is
// reused as if empty.
bool run_dir_is_empty(const std::filesystem::path& dir);

// Throws unless `dir` is missing or empty (run_dir_is_empty); checked before any work starts.
void check_run_dir_is_free(const std::filesystem::path& dir);

// Throws naming the directory unless it holds config.toml ("... is not a run directory").
void check_is_run_dir(const std::filesystem::path& dir);

// The model.safetensors of a finished run, for evaluate, predict and the like. Throws naming the
// directory when the run is still training (the holder's process id), has stopped part-way
// (resume it: it has no model.safetensors then) or has no model for another reason.
std::filesystem::path finished_model_file(const std::filesystem::path& dir);

// runs/<date-time>, with a suffix when that exists already.
std::filesystem::path default_run_dir();

}  // namespace descent
