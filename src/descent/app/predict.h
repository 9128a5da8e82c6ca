#pragma once
// A finished run's predictions on new inputs (app/run_inputs.h reads them as its training data
// was read), as CSV with a header line and one row per input row:
//   classifier: one column per class, headed by the class names, holding the softmax of the
//     model's outputs (its class probabilities), then `predicted`, the name of the most probable
//     class (the label as the training data wrote it);
//   regression: the model's outputs, headed by the target column's name (`prediction` when it
//     has none; `_0`, `_1`, ... appended when there are several);
//   autoencoder, vae: the reconstructions, comparable with the inputs (VAE: decoded mu), headed
//     by the input columns' names (`x_0`, ... or for images `pixel_0`, ... when unnamed).
// A stacked autoencoder's run has no predictions here (its codes: descent encode on its phases).
#include <filesystem>
#include <string>

namespace descent {

struct Predictions {
  std::string csv;
  int64_t rows = 0;
  std::string columns;  // what the columns hold, in words ("3 class probabilities, predicted")
};

// Throws naming the run directory or the input file (with the line and column of a CSV cell)
// when either does not fit.
Predictions predict(const std::filesystem::path& run_dir, const std::filesystem::path& input);

}  // namespace descent
