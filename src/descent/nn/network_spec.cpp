#include "descent/nn/network_spec.h"

#include "descent/nn/activations.h"
#include "descent/nn/dropout.h"
#include "descent/nn/linear.h"
#include "descent/util/excerpt.h"
#include "descent/util/spec.h"
#include "descent/util/work_context.h"

namespace descent {
namespace {

// "linear, relu, sigmoid, ..., log_softmax, dropout": the activations in table order.
std::string layer_names() {
  std::string names = "linear";
  for (const ActivationEntry& e : activation_table()) names += std::string(", ") + e.name;
  return names + ", log_softmax, dropout";
}

// An activation layer with its SPEC arguments, each read with its default.
std::unique_ptr<Module> build_activation(const ActivationEntry& entry, SpecArgs& args) {
  ActivationArgs values{};
  for (size_t i = 0; i < entry.params.size(); ++i)
    values[i] = static_cast<float>(args.get_double(entry.params[i].name, entry.params[i].fallback));
  return std::make_unique<Activation>(entry, values);
}

// The seed of the k-th dropout layer (see network_spec.h).
uint64_t dropout_seed(uint64_t noise_seed, uint64_t k) { return noise_seed + 1000003 * (k + 1); }

}  // namespace

std::unique_ptr<Module> build_layer(const std::string& text, int64_t& features, Generator& gen,
                                    uint64_t noise_seed, uint64_t& dropout_count) {
  const Spec spec = parse_spec(text);
  const std::string layer_text = "layer '" + excerpt(text) + "'";
  const WorkContext step(layer_text);  // a layer too wide for memory says which it is
  SpecArgs args(layer_text, spec.args);
  std::unique_ptr<Module> layer;
  if (spec.name == "linear") {
    const int64_t out = args.get_int("out", 0);
    if (out <= 0) throw SpecError(args.context() + ": needs out=N with N > 0");
    const bool bias = args.get_bool("bias", true);
    const InitSpec weight_init = read_init_spec(args, "init");
    const InitSpec bias_init = read_init_spec(args, "bias_init");
    args.finish();
    layer = std::make_unique<Linear>(features, out, bias, gen, weight_init, bias_init);
    features = out;
  } else if (const ActivationEntry* activation = find_activation(spec.name)) {
    layer = build_activation(*activation, args);
  } else if (spec.name == "log_softmax") {
    layer = std::make_unique<LogSoftmax>();
  } else if (spec.name == "dropout") {
    const double p = args.get_double("p", 0.5);
    if (!(p >= 0.0 && p <= 1.0))
      throw SpecError(args.context() + ": p must be in [0, 1], got " + spec.args.at("p"));
    layer = std::make_unique<Dropout>(p, dropout_seed(noise_seed, dropout_count++));
  } else {
    throw UnknownNameError(layer_text + ": unknown layer '" + spec.name + "' (valid: " + layer_names() +
                    ")");
  }
  args.finish();
  return layer;
}

std::vector<std::string> with_last_out(std::vector<std::string> layers, int64_t out,
                                       const std::string& what, const std::string& why) {
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    const Spec spec = parse_spec(*it);
    if (spec.name != "linear") continue;
    const auto given = spec.args.find("out");
    if (given == spec.args.end()) {
      *it += (it->find(':') == std::string::npos ? ":out=" : ",out=") + std::to_string(out);
    } else if (given->second != std::to_string(out)) {
      throw SpecError(what + ": the last linear layer '" + *it + "' has out=" + given->second +
                      ", but " + why + " is " + std::to_string(out) +
                      " (leave out `out` there and descent fills it in)");
    }
    return layers;
  }
  throw SpecError(what + ": no linear layer (expected at least one, e.g. \"linear\")");
}

std::unique_ptr<Sequential> build_network(const std::vector<std::string>& layers,
                                          int64_t in_features, Generator& gen,
                                          uint64_t noise_seed) {
  if (layers.empty()) throw SpecError("model.layers is empty: a network needs at least one layer");
  auto net = std::make_unique<Sequential>();
  int64_t features = in_features;
  uint64_t dropout_count = 0;
  for (const std::string& text : layers)
    net->add(build_layer(text, features, gen, noise_seed, dropout_count));
  return net;
}

}  // namespace descent
