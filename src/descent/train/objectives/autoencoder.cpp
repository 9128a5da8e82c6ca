#include "descent/train/objectives/autoencoder.h"

#include "descent/autograd/grad_mode.h"
#include "descent/nn/autoencoder_penalties.h"
#include "descent/nn/loss.h"
#include "descent/ops/ops.h"

namespace descent {

Tensor reconstruction_loss(const std::string& name, const Tensor& output, const Tensor& target) {
  return name == "binary_cross_entropy" ? binary_cross_entropy_with_logits(output, target)
                                        : mse_loss(output, target);
}

Tensor reconstructed_values(const std::string& name, const Tensor& output) {
  NoGradGuard no_grad;
  return name == "binary_cross_entropy" ? sigmoid(output) : output;
}

double mean_squared_error(const Tensor& a, const Tensor& b) {
  double sum = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double d = static_cast<double>(a.data()[i]) - b.data()[i];
    sum += d * d;
  }
  return sum / static_cast<double>(std::max<int64_t>(a.numel(), 1));
}

double mean_value(const Tensor& t) {
  double sum = 0;
  for (int64_t i = 0; i < t.numel(); ++i) sum += t.data()[i];
  return sum / static_cast<double>(std::max<int64_t>(t.numel(), 1));
}

AutoencoderObjective::AutoencoderObjective(Autoencoder& model, AutoencoderOptions options,
                                           uint64_t noise_seed)
    : model_(model),
      options_(std::move(options)),
      noise_seed_(noise_seed),
      noise_(noise_seed),
      eval_noise_(noise_seed + 1) {}

Tensor AutoencoderObjective::reconstruction(const Tensor& output, const Tensor& target) const {
  return reconstruction_loss(options_.reconstruction, output, target);
}

Tensor AutoencoderObjective::corrupted(const Tensor& x, Generator& gen) const {
  if (noise_source_) return noise_source_(x);
  return corrupt(x, options_.noise, static_cast<float>(options_.noise_level), gen,
                 &gen == &noise_ ? &noise_draws_ : nullptr);
}

ObjectiveValue AutoencoderObjective::compute(const Batch& batch) {
  const Tensor& x = batch.inputs;
  const bool training = model_.training();
  const bool noisy_training = training && options_.noise != InputNoise::None;
  const Tensor input = noisy_training ? corrupted(x, noise_) : x;
  const Tensor code = model_.encode(input);
  const Tensor output = model_.decode(code);
  ObjectiveValue v;
  v.loss = reconstruction(output, x);
  v.terms["reconstruction"] = v.loss.item();
  // Under mse the reconstruction is the mse already: not computed twice on every step.
  v.terms["mse"] =
      options_.reconstruction == "mse"
          ? v.terms["reconstruction"]
          : mean_squared_error(reconstructed_values(options_.reconstruction, output), x);
  if (options_.sparsity != "none") {
    const Tensor penalty = options_.sparsity == "kl"
                               ? kl_sparsity(code, static_cast<float>(options_.sparsity_target))
                               : l1_sparsity(code);
    v.terms["sparsity"] = penalty.item();
    v.terms["code_mean"] = mean_value(code);
    v.loss = v.loss + penalty * static_cast<float>(options_.sparsity_weight);
  }
  if (options_.contractive_weight > 0) {
    const auto& first = dynamic_cast<const Linear&>(model_.encoder()[0]);
    const Tensor penalty = contractive_penalty(code, first.weight, options_.code_activation);
    v.terms["contractive"] = penalty.item();
    v.loss = v.loss + penalty * static_cast<float>(options_.contractive_weight);
  }
  if (!training && options_.noise != InputNoise::None) {
    // Denoising, measured: how far the noisy input is from x, and how far its reconstruction.
    const Tensor noisy = corrupted(x, eval_noise_);
    const Tensor rebuilt = model_.forward(noisy);
    v.terms["noisy_mse"] = mean_squared_error(noisy, x);
    v.terms["corrupted_reconstruction"] = reconstruction(rebuilt, x).item();
    v.terms["corrupted_mse"] =
        mean_squared_error(reconstructed_values(options_.reconstruction, rebuilt), x);
  }
  return v;
}

}  // namespace descent
