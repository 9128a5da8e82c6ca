#include "descent/app/autoencoder_run.h"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "descent/app/experiment.h"
#include "descent/app/run_dir.h"
#include "descent/autograd/grad_mode.h"
#include "descent/data/fashion_mnist.h"
#include "descent/io/model_weights.h"
#include "descent/io/safetensors.h"
#include "descent/ops/ops.h"

namespace descent {
namespace {

// Rows per forward pass: large enough for the GEMMs, small enough to keep memory flat.
constexpr int64_t kBatch = 1000;

// The input size is the second dimension of the encoder's first weight ("encoder.N.weight" of
// the smallest N: a dropout may come first).
int64_t input_size_from_weights(const SafetensorsFile& weights, const std::filesystem::path& file) {
  int64_t best_index = INT64_MAX, inputs = 0;
  for (const NamedTensor& t : weights.tensors) {
    const std::string& name = t.name;
    if (name.rfind("encoder.", 0) != 0 || !name.ends_with(".weight") || t.tensor.dim() != 2)
      continue;
    const std::string index = name.substr(8, name.size() - 8 - 7);
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos) continue;
    const int64_t i = std::stoll(index);
    if (i < best_index) {
      best_index = i;
      inputs = t.tensor.size(1);
    }
  }
  if (inputs == 0)
    throw std::runtime_error(file.string() + " has no encoder.N.weight (not an autoencoder's)");
  return inputs;
}

// f applied to each batch of rows, the results stacked back into one tensor.
template <class F>
Tensor batched(const Tensor& inputs, F f) {
  const int64_t n = inputs.size(0);
  std::vector<float> out;
  int64_t width = 0;
  for (int64_t begin = 0; begin < n; begin += kBatch) {
    const Tensor part = f(inputs.rows(begin, std::min(n, begin + kBatch)));
    width = part.size(1);
    out.insert(out.end(), part.values().begin(), part.values().end());
  }
  return Tensor::from({n, width}, out);
}

// Rows of a [n, k] and b [n, k] joined: [n, 2k].
Tensor side_by_side(const Tensor& a, const Tensor& b) {
  const int64_t n = a.size(0), k = a.size(1);
  std::vector<float> out;
  out.reserve(static_cast<size_t>(2 * n * k));
  for (int64_t i = 0; i < n; ++i) {
    out.insert(out.end(), a.data() + i * k, a.data() + (i + 1) * k);
    out.insert(out.end(), b.data() + i * k, b.data() + (i + 1) * k);
  }
  return Tensor::from({n, 2 * k}, out);
}

Dataset checked_split(const AutoencoderRun& run, Dataset data, const std::string& split) {
  if (data.features() != run.inputs)
    throw std::runtime_error(run.dir.string() + ": the model takes " + std::to_string(run.inputs) +
                             " inputs, but " + split + " examples of " + run.config.data.name +
                             " have " + std::to_string(data.features()));
  return data;
}

}  // namespace

bool is_autoencoder_kind(const std::string& kind) { return kind == "autoencoder" || kind == "vae"; }

AutoencoderRun load_autoencoder_run(const std::filesystem::path& dir) {
  check_is_run_dir(dir);
  AutoencoderRun run;
  run.dir = dir;
  run.config = load_config(dir / kConfigFile, {});
  if (!is_autoencoder_kind(run.config.model.kind))
    throw std::runtime_error(dir.string() + " is a run of model.kind = \"" + run.config.model.kind +
                             "\", not of an autoencoder (model.kind = \"autoencoder\" or \"vae\")");
  const auto weights_path = finished_model_file(dir);
  run.data = find_dataset(run.config.data.name);
  run.inputs = input_size_from_weights(load_safetensors(weights_path), weights_path);
  run.config.model.weights.clear();  // the run's own weights replace whatever it started from
  run.model = build_model(run.config, run.inputs);
  load_weights(*run.model, weights_path);
  run.model->set_training(false);
  run.autoencoder = dynamic_cast<Autoencoder*>(run.model.get());
  run.variational = dynamic_cast<VariationalAutoencoder*>(run.model.get());
  run.code_size = run.variational ? run.variational->code_size()
                                  : encode_all(run, Tensor::zeros({1, run.inputs})).code.size(1);
  return run;
}

const std::vector<std::string>& split_names() {
  static const std::vector<std::string> names = {"train", "validation", "test"};
  return names;
}

Dataset load_split(const AutoencoderRun& run, const std::string& split) {
  const auto& names = split_names();
  if (std::find(names.begin(), names.end(), split) == names.end())
    throw std::invalid_argument("unknown split '" + split +
                                "' (expected train, validation or test)");
  // The test set is the dataset's own, whatever the hold-out: Fashion-MNIST's alone skips
  // reading (and unpacking) the 60,000 training images.
  if (split == "test" && run.config.data.name == "fashion-mnist")
    return checked_split(run, load_fashion_mnist_test(run.config.data.dir), split);
  Config config = run.config;
  ExperimentData data = load_experiment_data(config);
  Dataset& chosen = split == "train"        ? data.train
                    : split == "validation" ? data.validation
                                            : data.test;
  if (chosen.features() != run.inputs)
    throw std::runtime_error(run.dir.string() + ": the model takes " + std::to_string(run.inputs) +
                             " inputs, but " + split + " examples of " + config.data.name +
                             " have " + std::to_string(chosen.features()));
  return std::move(chosen);
}

Codes encode_all(AutoencoderRun& run, const Tensor& inputs) {
  NoGradGuard no_grad;
  if (run.autoencoder)
    return {batched(inputs, [&](const Tensor& x) { return run.autoencoder->encode(x); }), {}};
  // One encoder pass per batch gives both heads: mu and logvar side by side, split afterwards.
  const Tensor both = batched(inputs, [&](const Tensor& x) {
    const auto e = run.variational->encode(x);
    return side_by_side(e.mu, e.logvar);
  });
  const int64_t n = both.size(0), k = both.size(1) / 2;
  std::vector<float> mu, logvar;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = both.data() + i * 2 * k;
    mu.insert(mu.end(), row, row + k);
    logvar.insert(logvar.end(), row + k, row + 2 * k);
  }
  return {Tensor::from({n, k}, mu), Tensor::from({n, k}, logvar)};
}

Tensor decode_values(AutoencoderRun& run, const Tensor& codes) {
  NoGradGuard no_grad;
  const bool logits = run.config.autoencoder.reconstruction == "binary_cross_entropy";
  return batched(codes, [&](const Tensor& z) {
    const Tensor out = run.autoencoder ? run.autoencoder->decode(z) : run.variational->decode(z);
    return logits ? sigmoid(out) : out;
  });
}

Tensor reconstruct_values(AutoencoderRun& run, const Tensor& inputs) {
  return decode_values(run, encode_all(run, inputs).code);
}

Tensor prior_samples(const AutoencoderRun& run, int64_t count, uint64_t seed) {
  Generator gen(seed);
  return Tensor::normal({count, run.code_size}, 0.0f, 1.0f, gen);
}

Tensor first_rows(const Tensor& inputs, int64_t count) {
  return inputs.rows(0, std::min(count, inputs.size(0)));
}

Tensor first_rows(const Dataset& data, int64_t count) {
  return data.input_rows(0, std::min(count, data.size()));
}

}  // namespace descent
