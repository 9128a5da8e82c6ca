#pragma once
// The variational autoencoder's objective, per example and averaged over the batch:
//   L = reconstruction(g(z), x) + beta_t * KL(N(mu, exp(logvar)) || N(0, I)),
//   z = mu + exp(logvar / 2) * eps, eps ~ N(0, I)
// The reconstruction is summed over an example's values (binary cross-entropy from logits, or
// squared error), so that with beta = 1 the loss is the negative ELBO in nats. beta_t rises
// linearly over the first kl_warmup_epochs epochs (beta * min(1, epoch / kl_warmup_epochs));
// evaluation uses beta itself. Terms: reconstruction, kl, elbo = -(reconstruction + kl),
// kl_weight (beta_t), and mse of the decoded mean (PSNR's input).
#include <functional>
#include <string>

#include "descent/nn/autoencoder.h"
#include "descent/train/objective.h"
#include "descent/util/batch_shard.h"

namespace descent {

struct VariationalOptions {
  std::string reconstruction = "binary_cross_entropy";  // or mse
  double beta = 1;
  int64_t kl_warmup_epochs = 0;
};

class VariationalObjective : public Objective {
 public:
  // Training samples draw from Generator(sample_seed); evaluation's from a stream restarted at
  // Generator(sample_seed + 1) before every evaluation.
  VariationalObjective(VariationalAutoencoder& model, VariationalOptions options,
                       uint64_t sample_seed);

  Module& model() override { return model_; }
  ObjectiveValue compute(const Batch& batch) override;
  void begin_evaluation() override { eval_samples_.reseed(sample_seed_ + 1); }
  bool draws_in_evaluation() const override { return true; }
  void set_epoch(int64_t epoch) override { epoch_ = epoch; }
  std::vector<Generator*> generators() override { return {&samples_}; }

  // The KL weight of this epoch's training steps.
  double kl_weight() const;
  // Replaces the generator's draws of eps (tests feed the very numbers another framework drew).
  void set_eps_source(std::function<Tensor(const Shape&)> source) {
    eps_source_ = std::move(source);
  }

 private:
  VariationalAutoencoder& model_;
  VariationalOptions options_;
  uint64_t sample_seed_;
  Generator samples_, eval_samples_;
  ShardedDraws sample_draws_;  // training samples, by rows of the global batch
  int64_t epoch_ = 1;
  std::function<Tensor(const Shape&)> eps_source_;
};

}  // namespace descent
