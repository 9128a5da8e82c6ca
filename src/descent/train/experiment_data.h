#pragma once
// The data of a run, from its [data] configuration: training, validation and test sets.
// Random streams: the validation hold-out draws from Generator(seed + 1), the train_size subset
// from Generator(seed + 3), synthetic training data from Generator(seed + 4) and synthetic test
// data from Generator(seed + 5), the CSV test hold-out from Generator(seed + 6).
#include "descent/data/dataset.h"
#include "descent/io/config.h"

namespace descent {

struct ExperimentData {
  Dataset train, validation, test;
};

// Resolves data.validation_size = -1 (auto) in `config`. Throws DataError or ConfigError naming
// the file or key.
ExperimentData load_experiment_data(Config& config);

}  // namespace descent
