#pragma once
// A run directory read back for reports: its configuration, per-epoch metrics, per-step series,
// curvature probes and summary, whichever are there. A run still in progress or cut short (no
// summary.json) is read as far as it got, and says so in `notes`.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/app/config.h"
#include "descent/train/metrics.h"

namespace descent {

struct StepRecord {
  int64_t step = 0, epoch = 0;
  double loss = NAN, lr = NAN, grad_norm = NAN, seconds = NAN;
};

struct RunRecord {
  std::filesystem::path dir;
  std::string name;  // the directory's own name
  Config config;
  std::string config_toml;  // config.toml as written
  std::vector<EpochMetrics> epochs;
  std::vector<StepRecord> steps;          // steps.jsonl, when written
  std::vector<nlohmann::json> curvature;  // curvature.jsonl, one probe a line
  std::optional<nlohmann::json> summary;  // summary.json, once training ended
  std::vector<std::string> notes;         // what is missing or cut short, in words
};

// Throws std::runtime_error naming the directory and what is missing when it is not a run, and
// naming the file and line of a corrupt JSON line.
RunRecord read_run(const std::filesystem::path& dir);

}  // namespace descent
