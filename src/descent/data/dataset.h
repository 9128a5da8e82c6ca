#pragma once
// An in-memory dataset: inputs [n, features] and targets, either class indices [n] (with
// num_classes > 0) or regression values [n, k]. CSV and synthetic sets produce the same type.
// A source that names its classes or its input columns (a CSV file's labels and header) keeps the
// names, so that predictions can be written in the data's own terms.
//
// Images stored as bytes (Fashion-MNIST's) stay bytes: `byte_inputs` holds them, a quarter of
// float32's memory, and a batch converts its rows as it gathers them (byte * scale, the same
// float the whole set converted up front would hold). Subsets and the validation hold-out of such
// a set are views (row indices into the shared bytes), not copies. Read inputs through the
// methods below, which serve both forms; `inputs` is undefined for a byte set.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "descent/tensor/tensor.h"
#include "descent/util/random.h"

namespace descent {

// Rows of bytes, read as byte * scale.
struct ByteRows {
  std::vector<uint8_t> bytes;  // [rows, width], row-major
  int64_t width = 0;
  float scale = 1;
};

struct Dataset {
  std::string name;
  Tensor inputs;  // [n, features] floats; undefined when byte_inputs holds the inputs
  Tensor targets;
  int64_t num_classes = 0;                 // 0 for regression
  std::vector<std::string> class_names;    // in label order; empty: the numbers name them
  std::vector<std::string> feature_names;  // the input columns' names; empty: unnamed
  int64_t target_column = -1;              // a CSV file's target column (0-based); -1: none

  // Inputs as bytes: rows `byte_rows` (in this order) of a table that subsets share.
  std::shared_ptr<const ByteRows> byte_inputs;
  std::vector<int64_t> byte_rows;

  int64_t size() const;
  int64_t features() const;
  // Examples `indices`, in that order: the rows copied, or for a byte set a view of them.
  Dataset subset(const std::vector<int64_t>& indices) const;

  // Inputs as floats: rows [begin, end) copied (a tensor's data of its own), or all of them.
  Tensor input_rows(int64_t begin, int64_t end) const;
  Tensor dense_inputs() const;  // `inputs` itself when it holds them
  // Replaces the inputs with floats ([size(), k]); a byte form is dropped.
  void set_inputs(Tensor values);
  // The inputs of examples rows[0..count) into out ([count, features]).
  void gather_inputs(const int64_t* rows, int64_t count, float* out) const;
};

struct TrainValidationSplit {
  Dataset train, validation;
};

// Holds `validation_size` examples out, chosen by a seeded permutation; both parts keep the
// original order of their examples.
TrainValidationSplit hold_out(const Dataset& data, int64_t validation_size, Generator& gen);

}  // namespace descent
