#pragma once
// A finished autoencoder or VAE run loaded back (config.toml + model.safetensors), for what a
// user sees of it after training: its codes (`descent encode`), samples from its prior
// (`descent generate`) and the figures of its report (autoencoder_figures.h). Everything here
// runs without gradients, in batches, the model in evaluation mode.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "descent/app/config.h"
#include "descent/app/datasets.h"
#include "descent/data/dataset.h"
#include "descent/nn/autoencoder.h"

namespace descent {

// model.kind is autoencoder or vae.
bool is_autoencoder_kind(const std::string& kind);

struct AutoencoderRun {
  std::filesystem::path dir;
  Config config;
  const DatasetInfo* data = nullptr;  // the dataset's table entry (image size, class names)
  std::unique_ptr<Module> model;
  Autoencoder* autoencoder = nullptr;             // model.kind = autoencoder
  VariationalAutoencoder* variational = nullptr;  // model.kind = vae
  int64_t inputs = 0;                             // values per example
  int64_t code_size = 0;

  bool is_image_data() const { return data && data->image_rows > 0; }
};

// Throws std::runtime_error naming the directory when it is not a run, not an autoencoder run
// (saying its model.kind), or has no model.safetensors (not finished). The input size comes from
// the weights, so no data is read.
AutoencoderRun load_autoencoder_run(const std::filesystem::path& dir);

// The splits encode reads: train, validation, test.
const std::vector<std::string>& split_names();

// One split of the run's data, as training saw it (same hold-out and train_size subset). Throws
// std::invalid_argument naming the split and the accepted ones when unknown.
Dataset load_split(const AutoencoderRun& run, const std::string& split);

// The codes of `inputs` [n, features]: h = f(x), or for a VAE the mean mu, and its log variance
// in `logvar` (undefined for plain autoencoders).
struct Codes {
  Tensor code, logvar;
};
Codes encode_all(AutoencoderRun& run, const Tensor& inputs);

// Decoded codes as values comparable with the inputs: sigmoid of the logits under
// binary_cross_entropy, the outputs themselves under mse.
Tensor decode_values(AutoencoderRun& run, const Tensor& codes);

// g(f(x)) (VAE: decoded mu) as values comparable with the inputs.
Tensor reconstruct_values(AutoencoderRun& run, const Tensor& inputs);

// `count` codes z ~ N(0, I) drawn from Generator(seed), row by row: [count, code_size].
Tensor prior_samples(const AutoencoderRun& run, int64_t count, uint64_t seed);

// The first `count` rows of a dataset's inputs (all of them when it has fewer).
Tensor first_rows(const Tensor& inputs, int64_t count);
Tensor first_rows(const Dataset& data, int64_t count);  // its inputs' first rows, as floats

}  // namespace descent
