#pragma once
// What a run's model takes and gives, in the data's terms: its inputs (how many, a CSV file's
// column names, an image's size) and, for a classifier or regressor, its outputs (the class names
// in output order, or the regression target's width). Training saves it in the run directory as
// data.json, so that predict and evaluate --data read new files the way the training data was
// read, without reading the training data again.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/app/config.h"
#include "descent/data/dataset.h"

namespace descent {

struct DataSignature {
  std::string dataset;                     // data.name
  int64_t features = 0;                    // input values per example
  std::vector<std::string> feature_names;  // the input columns of a CSV header (empty: unnamed)
  int64_t image_rows = 0, image_cols = 0;  // images; 0 for tabular data
  std::string target;                      // csv: data.target, a column name or index
  int64_t target_column = -1;              // csv: the target's column in the training file
  std::vector<std::string> classes;        // classification: class names in output order
  int64_t targets = 0;                     // regression: values per target (0 when classifying)

  bool classification() const { return !classes.empty(); }
  bool images() const { return image_rows > 0; }
  // The model's outputs: one per class, or the regression target's width.
  int64_t outputs() const;
};

// The signature of a model trained on `train` under `config`; classes without names are named by
// their numbers ("0", "1", ...).
DataSignature describe_data(const Config& config, const Dataset& train);

nlohmann::json to_json(const DataSignature& signature);

// Throws std::runtime_error naming `where` when a field is missing or has the wrong type.
DataSignature data_signature_from_json(const nlohmann::json& json, const std::string& where);

// The run directory's data.json; a run saved before data.json existed is described from its
// training data, read again as `config` (its config.toml) says.
DataSignature read_data_signature(const std::filesystem::path& run_dir, const Config& config);

}  // namespace descent
