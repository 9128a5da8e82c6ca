#include "descent/experiments/autoencoder_training.h"

#include <stdexcept>

#include "descent/experiments/experiment.h"
#include "descent/experiments/training_runs.h"

namespace descent::experiments {

TrainedAutoencoder train_autoencoder(const std::filesystem::path& dir, const AutoencoderTraining& s,
                                     const std::string& kind,
                                     const std::vector<std::string>& extra) {
  if (s.train_size < 1 || s.epochs < 1 || s.batch_size < 1 || s.hidden < 1 || s.code < 1)
    throw std::invalid_argument(
        "train_size, epochs, batch_size, hidden and code must be at least 1");
  if (!(s.lr > 0)) throw std::invalid_argument("lr must be positive");
  const std::string hidden = "\"linear:out=" + std::to_string(s.hidden) + "\"";
  // A VAE's encoder ends at its hidden units: its mu and logvar heads make the code.
  const std::string encoder =
      kind == "vae" ? "[" + hidden + ", \"relu\"]" : "[" + hidden + ", \"relu\", \"linear\"]";
  std::vector<std::string> sets = {
      "data.name=fashion-mnist",
      "data.dir=" + s.data_dir,
      "data.train_size=" + std::to_string(s.train_size),
      "data.validation_size=0",
      "seed=" + std::to_string(s.seed),
      "model.kind=" + kind,
      "model.encoder=" + encoder,
      "model.code=" + std::to_string(s.code),
      "model.decoder=[" + hidden + ", \"relu\", \"linear\"]",
      "autoencoder.reconstruction=binary_cross_entropy",
      "train.epochs=" + std::to_string(s.epochs),
      "train.batch_size=" + std::to_string(s.batch_size),
      "optimizer.name=adam",
      "optimizer.lr=" + number_text(s.lr),
      "checkpoint.every=0",
  };
  sets.insert(sets.end(), extra.begin(), extra.end());
  TrainedAutoencoder trained{train_quietly(dir, sets), {}};
  trained.run = load_autoencoder_run(dir);
  return trained;
}

}  // namespace descent::experiments
