#pragma once
// A stacked autoencoder (model.kind = "stacked_autoencoder", model.stack = [n1, n2, ..., nL]) as
// ordinary autoencoders: the phases that train it greedily and the whole stack they make.
//   layer k:   x_{k-1} -> linear:out=n_k, act -> code x_k -> linear:out=n_{k-1} -> x_{k-1}
//              x_0 = the inputs (reconstruction: autoencoder.reconstruction); deeper layers
//              reconstruct the previous layer's codes: binary cross-entropy from logits when
//              the codes are sigmoids (values in (0, 1), as pixels), else mse through `act`.
//   the stack: encoder = the L layers' encoders in order, decoder = their decoders in reverse,
//              each inner one followed by `act` (the sigmoid that binary cross-entropy folds
//              into its loss), so the stack computes exactly the phases' composition.
// Every phase keeps the run's other settings (optimizer, batch, seed, noise, sparsity, tied);
// layer phases train autoencoder.epochs_per_layer epochs, the fine-tuning phase
// autoencoder.fine_tune_epochs, without the contractive penalty (its closed form needs a
// one-layer encoder).
#include <string>
#include <vector>

#include "descent/app/config.h"
#include "descent/tensor/named_tensor.h"

namespace descent {

// "layer-1", ..., "layer-L", then "fine-tune" when fine_tune_epochs > 0: the sub-directories of
// the run, in training order.
std::vector<std::string> stacked_phase_names(const Config& stacked);

// The kind = "autoencoder" configuration of layer `layer` (1-based).
Config stacked_layer_config(const Config& stacked, size_t layer);

// The whole stack as a kind = "autoencoder" configuration (train.epochs = fine_tune_epochs).
Config stacked_model_config(const Config& stacked);

// The name in the whole stack of a parameter of layer `layer`'s autoencoder ("encoder.0.weight"
// of layer 2 is "encoder.2.weight" of the stack).
std::string stacked_parameter_name(const Config& stacked, size_t layer, const std::string& name);

}  // namespace descent
