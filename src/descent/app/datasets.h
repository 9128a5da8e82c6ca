#pragma once
// The datasets a run can name in data.name, one table: fashion-mnist, csv and the synthetic sets.
// Each entry says which [data] keys it reads (the configuration writes only those back to
// config.toml) and loads its training and test sets; load_experiment_data then holds out the
// validation set and takes the train_size subset, the same for every dataset.
// Random streams: the validation hold-out draws from Generator(seed + 1), the train_size subset
// from Generator(seed + 3), synthetic training data from Generator(seed + 4) and synthetic test
// data from Generator(seed + 5), the CSV test hold-out from Generator(seed + 6), label noise from
// Generator(seed + 8).
#include <functional>
#include <string>
#include <vector>

#include "descent/app/config.h"
#include "descent/data/dataset.h"

namespace descent {

struct TrainTestData {
  Dataset train, test;
  std::vector<std::string> notes;  // what loading decided (how labels became classes)
};

struct DatasetInfo {
  std::string name;
  std::vector<std::string> keys;  // the [data] keys it reads besides the common ones
  // validation_size = -1 means this many held out (< 0: a fifth of the training set).
  int64_t default_validation_size = -1;
  // data.test_size = -1 means this (for the datasets that read it): a fraction or a count.
  double default_test_size = -1;
  std::function<TrainTestData(const Config&)> load;
  // Images: each example is rows x cols values in [0, 1] (figures draw them, PSNR applies);
  // 0 x 0 for tabular data.
  int64_t image_rows = 0, image_cols = 0;
  // Names of the classes, in label order (empty: the labels' numbers name them).
  std::vector<std::string> class_names;
  // The test set alone, where it can be read without the training data (Fashion-MNIST's t10k
  // files: a sixth of the reading); null: load_test_data reads everything.
  std::function<Dataset(const Config&)> load_test = nullptr;
};

const std::vector<DatasetInfo>& dataset_registry();
std::vector<std::string> dataset_names();
const DatasetInfo* find_dataset(const std::string& name);  // null when unknown

// Whether the configured dataset reads the [data] key (e.g. "dir" for fashion-mnist).
bool dataset_reads(const Config& config, const std::string& key);

struct ExperimentData {
  Dataset train, validation, test;
};

// Resolves data.validation_size = -1 and data.test_size = -1 (auto) in `config`, and adds to
// config.notes how class labels were mapped to class indices when they were not 0..k-1. The
// datasets carry the class names (the table's, or a CSV file's labels). Throws DataError or
// ConfigError naming the file or key.
ExperimentData load_experiment_data(Config& config);

// The test set alone, as load_experiment_data would give it: what evaluating a run needs.
Dataset load_test_data(Config& config);

}  // namespace descent
