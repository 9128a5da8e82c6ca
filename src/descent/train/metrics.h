#pragma once
// What training measures: one record per epoch, and the outcome of a whole run.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/train/stop_reason.h"

namespace descent {

struct EvalResult {
  double loss = NAN;
  double accuracy = NAN;  // NaN for regression
  int64_t examples = 0;
  std::map<std::string, double> terms;  // the objective's other numbers (objective.h)
};

struct EpochMetrics {
  int64_t epoch = 0;
  double train_loss = NAN, train_accuracy = NAN;
  double val_loss = NAN, val_accuracy = NAN;  // NaN without a validation set
  double lr = NAN;
  double seconds = 0;             // the whole epoch, validation included
  double samples_per_second = 0;  // training examples per second of training
  // Global gradient 2-norm before clipping, over the epoch's optimizer steps.
  double grad_norm_mean = NAN, grad_norm_max = NAN;
  // Per parameter: mean over the epoch's steps of ||w_after - w_before|| / ||w_before||.
  std::map<std::string, double> update_ratio;
  int64_t steps = 0;          // optimizer steps taken this epoch
  int64_t skipped_steps = 0;  // steps skipped for a non-finite loss or gradient
  nlohmann::json extra = nlohmann::json::object();  // callbacks' own values (curvature, ...)
};

struct TrainResult {
  std::vector<EpochMetrics> history;
  int64_t best_epoch = 0;  // lowest val_loss (train_loss without validation)
  double seconds = 0;
  StopReason stop_reason = StopReason::Completed;  // stop_message says more
  std::string stop_message;
  // What the divergence monitor found (callbacks/divergence.h), also when training went on;
  // empty when it found nothing or was off.
  std::string divergence;
};

// NaN becomes null, as JSON has no NaN.
nlohmann::json to_json(const EpochMetrics& m);
EpochMetrics epoch_metrics_from_json(const nlohmann::json& j);  // reads what to_json wrote
nlohmann::json to_json(const EvalResult& r);

}  // namespace descent
