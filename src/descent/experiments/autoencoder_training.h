#pragma once
// Autoencoders trained by an experiment (autoencoder-codes, denoising): a Fashion-MNIST subset,
// one hidden ReLU layer of `hidden` units either side of the code, binary cross-entropy on the
// pixels, Adam; trained as `descent train` would into a subdirectory, then loaded back for the
// figures and measurements of app/autoencoder_run.h.
#include <filesystem>
#include <string>
#include <vector>

#include "descent/app/autoencoder_run.h"
#include "descent/app/run.h"

namespace descent::experiments {

struct AutoencoderTraining {
  std::string data_dir;
  int64_t train_size = 0, epochs = 0, batch_size = 0, hidden = 0, code = 0;
  double lr = 0;
  uint64_t seed = 0;
};

struct TrainedAutoencoder {
  RunOutcome outcome;  // outcome.test: the objective's terms on the whole test set
  AutoencoderRun run;
};

// `kind` is autoencoder or vae; `extra` are further --set style overrides (autoencoder.noise,
// autoencoder.beta, ...). Every example left over from the subset is training data: no
// validation split, so nothing is spent evaluating one.
TrainedAutoencoder train_autoencoder(const std::filesystem::path& dir,
                                     const AutoencoderTraining& settings, const std::string& kind,
                                     const std::vector<std::string>& extra = {});

}  // namespace descent::experiments
