#pragma once
// Keeps the model's weights of every epoch (checkpoint.keep_epoch_weights): DIR/epoch-NNNN
// .safetensors for the weights before training (epoch 0) and after each epoch, under the
// state_dict names of model.safetensors. The training path they trace is what
// `descent landscape` projects onto its principal directions.
#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>

#include "descent/nn/module.h"
#include "descent/train/callback.h"

namespace descent {

// DIR/epoch-0007.safetensors for epoch 7.
std::filesystem::path epoch_weights_file(const std::filesystem::path& dir, int64_t epoch);

// The epoch weight files in `dir`, by epoch (empty when the folder is missing).
std::vector<std::pair<int64_t, std::filesystem::path>> list_epoch_weights(
    const std::filesystem::path& dir);

class EpochWeights : public Callback {
 public:
  EpochWeights(const Module& model, std::filesystem::path dir);
  // The starting weights, once: a resumed run has them already.
  void on_train_begin(TrainState& state) override;
  void on_epoch_end(TrainState& state, EpochMetrics& m) override;

 private:
  const Module& model_;
  std::filesystem::path dir_;
};

}  // namespace descent
