#pragma once
// A model's layers with their output shapes and parameter counts, and the totals, as Keras's
// summary() and torchinfo print them: printed when training starts and by `descent summary`.
#include <cstdint>
#include <string>
#include <vector>

#include "descent/nn/module.h"
#include "descent/tensor/shape.h"

namespace descent {

struct LayerSummary {
  std::string name;   // the parameter prefix, e.g. "encoder.2"
  std::string layer;  // describe(), e.g. "Linear(in=784, out=256)"
  Shape output;       // for one example: [256]
  int64_t params = 0;
};

struct ModelSummary {
  std::vector<LayerSummary> layers;
  int64_t total = 0;
  int64_t trainable = 0;     // parameters that get gradients (a frozen encoder's do not)
  std::string text() const;  // the table and the totals, one layer a line
};

// Runs one zero example through the model (evaluation mode, no gradients) to find the shapes.
// Sequential networks and autoencoders are listed layer by layer; other modules as one row.
ModelSummary summarize(Module& model, int64_t in_features);

}  // namespace descent
