#include "descent/app/stacked_config.h"

namespace descent {
namespace {

bool sigmoid_codes(const Config& c) { return c.model.stack_activation == "sigmoid"; }

std::string linear_to(int64_t out) { return "linear:out=" + std::to_string(out); }

// Every phase is an ordinary autoencoder run on the stacked run's settings.
Config as_autoencoder(const Config& stacked) {
  Config c = stacked;
  c.model.kind = "autoencoder";
  c.model.stack.clear();
  c.model.stack_activation = Config{}.model.stack_activation;
  c.autoencoder.epochs_per_layer = Config{}.autoencoder.epochs_per_layer;
  c.autoencoder.fine_tune_epochs = Config{}.autoencoder.fine_tune_epochs;
  return c;
}

}  // namespace

std::vector<std::string> stacked_phase_names(const Config& stacked) {
  std::vector<std::string> names;
  for (size_t k = 1; k <= stacked.model.stack.size(); ++k)
    names.push_back("layer-" + std::to_string(k));
  if (stacked.autoencoder.fine_tune_epochs > 0) names.push_back("fine-tune");
  return names;
}

Config stacked_layer_config(const Config& stacked, size_t layer) {
  const std::string& act = stacked.model.stack_activation;
  Config c = as_autoencoder(stacked);
  const int64_t code = stacked.model.stack.at(layer - 1);
  c.model.encoder = {linear_to(code), act};
  c.model.code = code;
  c.model.decoder = {"linear"};
  if (layer > 1) {
    c.autoencoder.reconstruction = sigmoid_codes(stacked) ? "binary_cross_entropy" : "mse";
    if (!sigmoid_codes(stacked)) c.model.decoder.push_back(act);
  }
  c.train.epochs = stacked.autoencoder.epochs_per_layer;
  return c;
}

Config stacked_model_config(const Config& stacked) {
  const std::vector<int64_t>& sizes = stacked.model.stack;
  const std::string& act = stacked.model.stack_activation;
  Config c = as_autoencoder(stacked);
  c.model.encoder.clear();
  for (const int64_t n : sizes) c.model.encoder.insert(c.model.encoder.end(), {linear_to(n), act});
  c.model.code = sizes.back();
  c.model.decoder.clear();
  for (size_t k = sizes.size() - 1; k >= 1; --k)
    c.model.decoder.insert(c.model.decoder.end(), {linear_to(sizes[k - 1]), act});
  c.model.decoder.push_back("linear");
  c.autoencoder.contractive_weight = 0;
  c.train.epochs = std::max<int64_t>(stacked.autoencoder.fine_tune_epochs, 1);
  return c;
}

std::string stacked_parameter_name(const Config& stacked, size_t layer, const std::string& name) {
  // A layer's autoencoder has one linear layer either side ("encoder.0.*", "decoder.0.*"); in the
  // stack, every layer adds a linear layer and its activation to each side.
  const size_t layers = stacked.model.stack.size();
  const std::string encoder = "encoder.0.", decoder = "decoder.0.";
  if (name.rfind(encoder, 0) == 0)
    return "encoder." + std::to_string(2 * (layer - 1)) + "." + name.substr(encoder.size());
  if (name.rfind(decoder, 0) == 0)
    return "decoder." + std::to_string(2 * (layers - layer)) + "." + name.substr(decoder.size());
  throw std::logic_error("stacked layer " + std::to_string(layer) + ": unexpected parameter " +
                         name);
}

}  // namespace descent
