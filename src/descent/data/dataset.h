#pragma once
// An in-memory dataset: inputs [n, features] and targets, either class indices [n] (with
// num_classes > 0) or regression values [n, k]. CSV and synthetic sets produce the same type.
// A source that names its classes or its input columns (a CSV file's labels and header) keeps the
// names, so that predictions can be written in the data's own terms.
#include <string>
#include <vector>

#include "descent/tensor/tensor.h"
#include "descent/util/random.h"

namespace descent {

struct Dataset {
  std::string name;
  Tensor inputs;
  Tensor targets;
  int64_t num_classes = 0;                 // 0 for regression
  std::vector<std::string> class_names;    // in label order; empty: the numbers name them
  std::vector<std::string> feature_names;  // the input columns' names; empty: unnamed
  int64_t target_column = -1;              // a CSV file's target column (0-based); -1: none

  int64_t size() const { return inputs.defined() ? inputs.size(0) : 0; }
  int64_t features() const { return inputs.numel() / std::max<int64_t>(size(), 1); }
  Dataset subset(const std::vector<int64_t>& indices) const;  // copies the rows, in that order
};

struct TrainValidationSplit {
  Dataset train, validation;
};

// Holds `validation_size` examples out, chosen by a seeded permutation; both parts keep the
// original order of their examples.
TrainValidationSplit hold_out(const Dataset& data, int64_t validation_size, Generator& gen);

}  // namespace descent
