#pragma once
// Files read for a trained run's model, prepared exactly as its training data was: CSV rows
// (the input columns of the training file, matched by header name or by position; the numbers as
// they are, no scaling) or IDX images (each pixel / 255, flattened row by row). New inputs feed
// `descent predict`; a labelled set feeds `descent evaluate --data`.
#include <filesystem>

#include "descent/app/config.h"
#include "descent/app/data_signature.h"
#include "descent/data/dataset.h"

namespace descent {

// The inputs [n, data.features] of a CSV file (a target column, when there, is left out) or, for
// an image run, of an IDX images file. Throws DataError naming the file (and the line and column
// of a CSV cell) when it does not fit the model.
Tensor read_run_inputs(const DataSignature& data, const Config& config,
                       const std::filesystem::path& file);

// A labelled set: a CSV file with the target column data.target names (class labels among the
// run's classes), or an IDX images file and its IDX labels file for an image run (`labels` is
// empty otherwise).
Dataset read_run_examples(const DataSignature& data, const Config& config,
                          const std::filesystem::path& file, const std::filesystem::path& labels);

}  // namespace descent
