#pragma once
// A classifier on a trained encoder (model.encoder_from = "RUN_DIR"): the encoder of an
// autoencoder, VAE or stacked autoencoder run becomes the first layers of a Sequential classifier
// and model.layers the layers after it:
//   Sequential(encoder layers..., model.layers...)
// The encoder is rebuilt from the run's config.toml (a VAE's ends with its `mu` head: the code it
// reports) and takes the run's trained weights from its model.safetensors. Parameters keep the
// Sequential's names ("0.weight", ...), so the classifier loads into PyTorch like any other.
// With model.freeze_encoder the encoder's parameters do not require gradients: backward skips
// them and the optimizer is not given them (experiment.h).
#include <filesystem>
#include <memory>

#include "descent/app/config.h"
#include "descent/nn/sequential.h"
#include "descent/util/random.h"

namespace descent {

// Throws ConfigError naming model.encoder_from and the path when the directory is not a run, not
// an autoencoder run, has no model.safetensors, or its encoder does not take `in_features` inputs.
std::unique_ptr<Sequential> build_classifier_on_encoder(const Config& config, int64_t in_features,
                                                        Generator& gen, uint64_t noise_seed);

}  // namespace descent
