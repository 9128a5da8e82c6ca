#pragma once
// What training measures: one record per epoch, and the outcome of a whole run.
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace descent {

struct EvalResult {
  double loss = NAN;
  double accuracy = NAN;  // NaN for regression
  int64_t examples = 0;
};

struct EpochMetrics {
  int64_t epoch = 0;
  double train_loss = NAN, train_accuracy = NAN;
  double val_loss = NAN, val_accuracy = NAN;  // NaN without a validation set
  double lr = NAN;
  double seconds = 0;             // the whole epoch, validation included
  double samples_per_second = 0;  // training examples per second of training
};

struct TrainResult {
  std::vector<EpochMetrics> history;
  int64_t best_epoch = 0;  // lowest val_loss (train_loss without validation)
  double seconds = 0;
  std::string stop_reason = "completed";
};

// NaN becomes null, as JSON has no NaN.
nlohmann::json to_json(const EpochMetrics& m);
nlohmann::json to_json(const EvalResult& r);

}  // namespace descent
