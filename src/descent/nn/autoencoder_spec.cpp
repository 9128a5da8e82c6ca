#include "descent/nn/autoencoder_spec.h"

#include "descent/nn/network_spec.h"
#include "descent/nn/tied_linear.h"
#include "descent/util/spec.h"

namespace descent {
namespace {

bool is_linear(const std::string& layer) { return parse_spec(layer).name == "linear"; }

std::unique_ptr<Sequential> build_part(const std::vector<std::string>& layers, int64_t in,
                                       Generator& gen, uint64_t noise_seed,
                                       const std::string& what) {
  if (layers.empty()) throw SpecError(what + " is empty: it needs at least one layer");
  try {
    return build_network(layers, in, gen, noise_seed);
  } catch (const SpecError& e) {
    throw_spec_error(e, what + ": " + e.what());
  }
}

// The decoder of a tied autoencoder: its k-th linear layer is the transpose of the encoder's k-th
// linear layer from the end.
std::unique_ptr<Sequential> build_tied_decoder(const std::vector<std::string>& layers,
                                               Sequential& encoder, int64_t code, Generator& gen,
                                               uint64_t noise_seed) {
  std::vector<const Linear*> sources;
  for (size_t i = 0; i < encoder.size(); ++i)
    if (const auto* linear = dynamic_cast<const Linear*>(&encoder[i]))
      sources.insert(sources.begin(), linear);
  size_t decoder_linears = 0;
  for (const auto& layer : layers) decoder_linears += is_linear(layer);
  if (decoder_linears != sources.size())
    throw SpecError(
        "model.decoder: autoencoder.tied = true needs as many linear layers as "
        "model.encoder (" +
        std::to_string(sources.size()) + "), got " + std::to_string(decoder_linears));
  auto decoder = std::make_unique<Sequential>();
  int64_t features = code;
  uint64_t dropout_count = 0;
  size_t k = 0;
  for (const std::string& text : layers) {
    if (!is_linear(text)) {
      try {
        decoder->add(build_layer(text, features, gen, noise_seed, dropout_count));
      } catch (const SpecError& e) {
        throw_spec_error(e, std::string("model.decoder: ") + e.what());
      }
      continue;
    }
    const Spec spec = parse_spec(text);
    SpecArgs args("model.decoder: layer '" + text + "'", spec.args);
    const Linear& source = *sources[k++];
    const int64_t out = args.get_int("out", source.weight.size(1));
    if (out != source.weight.size(1))
      throw SpecError(args.context() +
                      ": tied to the encoder's Linear(in=" + std::to_string(source.weight.size(1)) +
                      ", out=" + std::to_string(source.weight.size(0)) + "), so out must be " +
                      std::to_string(source.weight.size(1)) + ", got " + std::to_string(out));
    const bool bias = args.get_bool("bias", true);
    args.finish();
    decoder->add(std::make_unique<TiedLinear>(source, bias, gen));
    features = out;
  }
  return decoder;
}

}  // namespace

std::unique_ptr<Autoencoder> build_autoencoder(const AutoencoderSpec& spec, int64_t in_features,
                                               Generator& gen, uint64_t noise_seed) {
  if (spec.code <= 0)
    throw SpecError("model.code: missing (the code layer's size, e.g. code = 32)");
  auto encoder = build_part(with_last_out(spec.encoder, spec.code, "model.encoder", "model.code"),
                            in_features, gen, noise_seed, "model.encoder");
  std::unique_ptr<Sequential> decoder;
  if (spec.tied)
    decoder = build_tied_decoder(spec.decoder, *encoder, spec.code, gen, noise_seed + 1);
  else
    decoder =
        build_part(with_last_out(spec.decoder, in_features, "model.decoder", "the input size"),
                   spec.code, gen, noise_seed + 1, "model.decoder");
  return std::make_unique<Autoencoder>(std::move(encoder), std::move(decoder));
}

std::unique_ptr<VariationalAutoencoder> build_variational_autoencoder(const AutoencoderSpec& spec,
                                                                      int64_t in_features,
                                                                      Generator& gen,
                                                                      uint64_t noise_seed) {
  if (spec.code <= 0) throw SpecError("model.code: missing (the code layer's size, e.g. code = 2)");
  if (spec.tied) throw SpecError("autoencoder.tied: applies to model.kind = \"autoencoder\" only");
  auto encoder = build_part(spec.encoder, in_features, gen, noise_seed, "model.encoder");
  int64_t hidden = in_features;
  for (size_t i = 0; i < encoder->size(); ++i)
    if (const auto* linear = dynamic_cast<const Linear*>(&(*encoder)[i]))
      hidden = linear->weight.size(0);
  auto mu = std::make_unique<Linear>(hidden, spec.code, true, gen);
  auto logvar = std::make_unique<Linear>(hidden, spec.code, true, gen);
  auto decoder =
      build_part(with_last_out(spec.decoder, in_features, "model.decoder", "the input size"),
                 spec.code, gen, noise_seed + 1, "model.decoder");
  return std::make_unique<VariationalAutoencoder>(std::move(encoder), std::move(mu),
                                                  std::move(logvar), std::move(decoder));
}

std::string code_activation(const std::vector<std::string>& encoder) {
  std::string after = "identity";
  for (const std::string& layer : encoder) {
    const std::string name = parse_spec(layer).name;
    if (name == "linear")
      after = "identity";
    else if (name != "dropout")
      after = name;
  }
  return after;
}

}  // namespace descent
