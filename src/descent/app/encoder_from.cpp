#include "descent/app/encoder_from.h"

#include <map>

#include "descent/app/run_dir.h"
#include "descent/app/stacked_config.h"
#include "descent/io/safetensors.h"
#include "descent/nn/network_spec.h"
#include "descent/util/spec.h"

namespace descent {
namespace {

// The encoder of a run as layer SPECs, and where each of its parameters is in the run's
// model.safetensors ("0.weight" <- "encoder.0.weight").
struct TrainedEncoder {
  std::vector<std::string> layers;
  std::map<std::string, std::string> source_names;
};

[[noreturn]] void refuse(const std::filesystem::path& dir, const std::string& why) {
  throw ConfigError("config: model.encoder_from = \"" + dir.string() + "\": " + why);
}

// Names "i.weight" and "i.bias" for the linear layers among `layers`, from `prefix` + "i.".
void map_linear_names(const std::vector<std::string>& layers, const std::string& prefix,
                      size_t offset, TrainedEncoder& out) {
  for (size_t i = 0; i < layers.size(); ++i) {
    if (parse_spec(layers[i]).name != "linear") continue;
    for (const char* p : {"weight", "bias"})
      out.source_names[std::to_string(offset + i) + "." + p] = prefix + std::to_string(i) + "." + p;
  }
}

// An autoencoder's encoder leaves its last linear layer's `out` to model.code.
std::vector<std::string> with_code_size(std::vector<std::string> layers, int64_t code) {
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    const Spec spec = parse_spec(*it);
    if (spec.name != "linear") continue;
    if (!spec.args.count("out"))
      *it += (it->find(':') == std::string::npos ? ":out=" : ",out=") + std::to_string(code);
    break;
  }
  return layers;
}

TrainedEncoder read_trained_encoder(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir) || !std::filesystem::exists(dir / kConfigFile))
    refuse(dir, "not a run directory (expected a directory with " + std::string(kConfigFile) +
                    ", written by descent train)");
  Config source;
  try {
    source = load_config(dir / kConfigFile, {});
  } catch (const std::exception& e) {
    refuse(dir, std::string("cannot read its configuration: ") + e.what());
  }
  const std::string& kind = source.model.kind;
  TrainedEncoder out;
  if (kind == "autoencoder") {
    out.layers = with_code_size(source.model.encoder, source.model.code);
  } else if (kind == "stacked_autoencoder") {
    out.layers = stacked_model_config(source).model.encoder;
  } else if (kind == "vae") {
    out.layers = source.model.encoder;
    out.layers.push_back("linear:out=" + std::to_string(source.model.code));
  } else {
    refuse(dir, "not an autoencoder run (its model.kind is \"" + kind +
                    "\"; expected autoencoder, vae or stacked_autoencoder)");
  }
  map_linear_names(source.model.kind == "vae" ? source.model.encoder : out.layers, "encoder.", 0,
                   out);
  if (kind == "vae")
    for (const char* p : {"weight", "bias"})
      out.source_names[std::to_string(source.model.encoder.size()) + "." + p] =
          std::string("mu.") + p;
  try {
    finished_model_file(dir);
  } catch (const std::runtime_error& e) {
    refuse(dir, e.what());
  }
  return out;
}

}  // namespace

std::unique_ptr<Sequential> build_classifier_on_encoder(const Config& config, int64_t in_features,
                                                        Generator& gen, uint64_t noise_seed) {
  const std::filesystem::path dir = config.model.encoder_from;
  const TrainedEncoder encoder = read_trained_encoder(dir);
  std::vector<std::string> layers = encoder.layers;
  layers.insert(layers.end(), config.model.layers.begin(), config.model.layers.end());
  std::unique_ptr<Sequential> net = build_network(layers, in_features, gen, noise_seed);

  const SafetensorsFile file = load_safetensors(dir / kModelFile);
  std::map<std::string, const Tensor*> saved;
  for (const auto& t : file.tensors) saved[t.name] = &t.tensor;
  for (auto& [name, param] : net->named_parameters()) {
    const auto source = encoder.source_names.find(name);
    if (source == encoder.source_names.end()) continue;
    const auto it = saved.find(source->second);
    if (it == saved.end())
      refuse(dir, (dir / kModelFile).string() + " has no tensor " + source->second);
    if (it->second->shape() != param.shape())
      refuse(dir, "its " + source->second + " is " + to_string(it->second->shape()) +
                      ", but the classifier's " + name + " is " + to_string(param.shape()) +
                      " (was the encoder trained on data with " + std::to_string(in_features) +
                      " inputs?)");
    Tensor target = param;
    target.copy_from(*it->second);
    if (config.model.freeze_encoder) target.requires_grad_(false);
  }
  return net;
}

}  // namespace descent
