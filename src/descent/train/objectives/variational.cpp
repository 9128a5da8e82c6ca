#include "descent/train/objectives/variational.h"

#include <algorithm>

#include "descent/autograd/grad_mode.h"
#include "descent/nn/autoencoder_penalties.h"
#include "descent/ops/ops.h"
#include "descent/train/objectives/autoencoder.h"

namespace descent {

VariationalObjective::VariationalObjective(VariationalAutoencoder& model,
                                           VariationalOptions options, uint64_t sample_seed)
    : model_(model),
      options_(std::move(options)),
      sample_seed_(sample_seed),
      samples_(sample_seed),
      eval_samples_(sample_seed + 1) {}

double VariationalObjective::kl_weight() const {
  if (options_.kl_warmup_epochs <= 0) return options_.beta;
  return options_.beta * std::min(1.0, static_cast<double>(epoch_) /
                                           static_cast<double>(options_.kl_warmup_epochs));
}

ObjectiveValue VariationalObjective::compute(const Batch& batch) {
  const Tensor& x = batch.inputs;
  const bool training = model_.training();
  const auto [mu, logvar] = model_.encode(x);
  Tensor eps;
  if (eps_source_) {
    eps = eps_source_(mu.shape());
  } else if (!training) {
    eps = Tensor::normal(mu.shape(), 0.0f, 1.0f, eval_samples_);
  } else {
    eps = Tensor::empty(mu.shape());
    float* e = eps.data();
    const int64_t rows = mu.size(0);
    sample_draws_.draw(
        samples_, rows, mu.numel() / std::max<int64_t>(rows, 1),
        [](Generator& g) { return g.normal(); },
        [e](int64_t i, double v) { e[i] = static_cast<float>(v); });
  }
  const Tensor z = mu + exp(logvar * 0.5f) * eps;
  const Tensor output = model_.decode(z);
  // Summed over an example's values: the mean over all values times their count per example.
  const float values = static_cast<float>(x.numel() / std::max<int64_t>(x.size(0), 1));
  const Tensor reconstruction = reconstruction_loss(options_.reconstruction, output, x) * values;
  const Tensor kl = gaussian_kl(mu, logvar);
  const double weight = training ? kl_weight() : options_.beta;
  ObjectiveValue v;
  v.loss = reconstruction + kl * static_cast<float>(weight);
  v.terms["reconstruction"] = reconstruction.item();
  v.terms["kl"] = kl.item();
  v.terms["elbo"] = -(v.terms["reconstruction"] + v.terms["kl"]);
  v.terms["kl_weight"] = weight;
  if (!training)
    v.terms["mse"] =
        mean_squared_error(reconstructed_values(options_.reconstruction, model_.decode(mu)), x);
  return v;
}

}  // namespace descent
