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
// An interrupted run (Ctrl-C) leaves its checkpoint and no summary; resume_run continues it.
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

// Throws unless `dir` is missing or an empty directory (checked before any work starts).
void check_run_dir_is_free(const std::filesystem::path& dir);

// Throws naming the directory unless it holds config.toml ("... is not a run directory").
void check_is_run_dir(const std::filesystem::path& dir);

// runs/<date-time>, with a suffix when that exists already.
std::filesystem::path default_run_dir();

}  // namespace descent
