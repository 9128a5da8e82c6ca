#pragma once
// The objective of undercomplete, sparse, denoising and contractive autoencoders:
//   L = reconstruction(g(f(x~)), x) + sparsity_weight * Omega(h) + contractive_weight * ||J_f||_F^2
// with x~ = x, or x corrupted by input noise while training (input_noise.h), h = f(x~), and the
// penalties of nn/autoencoder_penalties.h. `reconstruction` is mse (mean over every value) or
// binary_cross_entropy (the decoder outputs logits, compared with x in [0, 1]; mean likewise).
// Terms reported: reconstruction, mse (of the reconstructed values, sigmoid(logits) under binary
// cross-entropy: PSNR's input), code_mean and sparsity with a sparsity penalty, contractive; in
// evaluation with input noise also noisy_mse (x~ against x) and corrupted_reconstruction and
// corrupted_mse (the reconstruction of x~ against x).
#include <functional>
#include <string>

#include "descent/nn/autoencoder.h"
#include "descent/train/objective.h"
#include "descent/train/objectives/input_noise.h"

namespace descent {

struct AutoencoderOptions {
  std::string reconstruction = "mse";  // mse or binary_cross_entropy
  std::string sparsity = "none";       // none, l1 or kl
  double sparsity_weight = 0;
  double sparsity_target = 0.05;  // rho, for kl
  InputNoise noise = InputNoise::None;
  double noise_level = 0;
  double contractive_weight = 0;
  std::string code_activation = "identity";  // the encoder's last activation (contractive)
};

class AutoencoderObjective : public Objective {
 public:
  // Training noise draws from Generator(noise_seed), evaluation noise from a stream restarted at
  // Generator(noise_seed + 1) before every evaluation.
  AutoencoderObjective(Autoencoder& model, AutoencoderOptions options, uint64_t noise_seed);

  Module& model() override { return model_; }
  ObjectiveValue compute(const Batch& batch) override;
  void begin_evaluation() override { eval_noise_.reseed(noise_seed_ + 1); }
  bool draws_in_evaluation() const override { return options_.noise != InputNoise::None; }
  std::vector<Generator*> generators() override { return {&noise_}; }

  // Replaces input noise's draws, in training and evaluation: the corrupted input for a clean
  // batch (tests feed the very inputs another framework corrupted). Used only with noise set.
  void set_noise_source(std::function<Tensor(const Tensor& clean)> source) {
    noise_source_ = std::move(source);
  }

 private:
  Tensor corrupted(const Tensor& x, Generator& gen) const;

  Tensor reconstruction(const Tensor& output, const Tensor& target) const;

  Autoencoder& model_;
  AutoencoderOptions options_;
  uint64_t noise_seed_;
  Generator noise_, eval_noise_;
  mutable ShardedDraws noise_draws_;  // training noise, by rows of the global batch
  std::function<Tensor(const Tensor&)> noise_source_;
};

// The reconstruction loss by name (mse, binary_cross_entropy) and the reconstructed values
// (sigmoid of logits under binary cross-entropy), shared with the variational objective.
Tensor reconstruction_loss(const std::string& name, const Tensor& output, const Tensor& target);
Tensor reconstructed_values(const std::string& name, const Tensor& output);
double mean_squared_error(const Tensor& a, const Tensor& b);
double mean_value(const Tensor& t);

}  // namespace descent
