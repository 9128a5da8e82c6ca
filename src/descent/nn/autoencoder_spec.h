#pragma once
// Builds autoencoders from layer SPEC lists (network_spec.h), the form configuration files use:
//   encoder = ["linear:out=256", "relu", "linear"], decoder = ["linear:out=256", "relu", "linear"]
// The encoder's last linear layer outputs the code (its `out` may be left out: `code` fills it
// in) and the decoder's last linear layer outputs the input size (filled in likewise). A
// variational autoencoder's encoder ends at its hidden features; its `mu` and `logvar` heads map
// them to `code` units. With `tied`, the decoder's k-th linear layer uses the transpose of the
// encoder's k-th linear layer from the end (their counts must match).
// Initial weights draw from `gen` in module order (encoder, mu, logvar, decoder); dropout layers
// seed from noise_seed (encoder) and noise_seed + 1 (decoder) as network_spec.h describes.
#include <memory>
#include <string>
#include <vector>

#include "descent/nn/autoencoder.h"
#include "descent/util/random.h"

namespace descent {

struct AutoencoderSpec {
  std::vector<std::string> encoder, decoder;
  int64_t code = 0;
  bool tied = false;
};

// Throw SpecError naming the list ("model.encoder: ...") and what was expected.
std::unique_ptr<Autoencoder> build_autoencoder(const AutoencoderSpec& spec, int64_t in_features,
                                               Generator& gen, uint64_t noise_seed = 0);
std::unique_ptr<VariationalAutoencoder> build_variational_autoencoder(const AutoencoderSpec& spec,
                                                                      int64_t in_features,
                                                                      Generator& gen,
                                                                      uint64_t noise_seed = 0);

// The name of the activation that follows the encoder's last linear layer ("identity" when none
// does): what the code's units are, for the checks of sparsity and contractive penalties.
std::string code_activation(const std::vector<std::string>& encoder);

}  // namespace descent
