#pragma once
// An in-memory dataset: inputs [n, features] and targets, either class indices [n] (with
// num_classes > 0) or regression values [n, k]. CSV and synthetic sets produce the same type.
#include <string>
#include <vector>

#include "descent/tensor/tensor.h"
#include "descent/util/random.h"

namespace descent {

struct Dataset {
  std::string name;
  Tensor inputs;
  Tensor targets;
  int64_t num_classes = 0;  // 0 for regression

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
