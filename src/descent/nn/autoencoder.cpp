#include "descent/nn/autoencoder.h"

namespace descent {

EncoderDecoder::EncoderDecoder(std::unique_ptr<Sequential> encoder,
                               std::unique_ptr<Sequential> decoder)
    : encoder_(std::move(encoder)), decoder_(std::move(decoder)) {}

std::vector<Generator*> EncoderDecoder::generators() {
  std::vector<Generator*> out = encoder_->generators();
  for (Generator* g : decoder_->generators()) out.push_back(g);
  return out;
}

void EncoderDecoder::set_training(bool on) {
  Module::set_training(on);
  encoder_->set_training(on);
  decoder_->set_training(on);
}

Autoencoder::Autoencoder(std::unique_ptr<Sequential> encoder, std::unique_ptr<Sequential> decoder)
    : EncoderDecoder(std::move(encoder), std::move(decoder)) {}

std::vector<NamedTensor> Autoencoder::named_parameters(const std::string& prefix) const {
  std::vector<NamedTensor> out = encoder_->named_parameters(prefix + "encoder.");
  for (auto& p : decoder_->named_parameters(prefix + "decoder.")) out.push_back(std::move(p));
  return out;
}

std::string Autoencoder::describe() const {
  return "Autoencoder(encoder=" + encoder_->describe() + ", decoder=" + decoder_->describe() + ")";
}

VariationalAutoencoder::VariationalAutoencoder(std::unique_ptr<Sequential> encoder,
                                               std::unique_ptr<Linear> mu,
                                               std::unique_ptr<Linear> logvar,
                                               std::unique_ptr<Sequential> decoder)
    : EncoderDecoder(std::move(encoder), std::move(decoder)),
      mu_(std::move(mu)),
      logvar_(std::move(logvar)) {}

VariationalAutoencoder::Encoding VariationalAutoencoder::encode(const Tensor& x) {
  const Tensor h = encoder_->forward(x);
  return {mu_->forward(h), logvar_->forward(h)};
}

std::vector<NamedTensor> VariationalAutoencoder::named_parameters(const std::string& prefix) const {
  std::vector<NamedTensor> out = encoder_->named_parameters(prefix + "encoder.");
  for (auto& p : mu_->named_parameters(prefix + "mu.")) out.push_back(std::move(p));
  for (auto& p : logvar_->named_parameters(prefix + "logvar.")) out.push_back(std::move(p));
  for (auto& p : decoder_->named_parameters(prefix + "decoder.")) out.push_back(std::move(p));
  return out;
}

std::string VariationalAutoencoder::describe() const {
  return "VariationalAutoencoder(encoder=" + encoder_->describe() + ", mu=" + mu_->describe() +
         ", logvar=" + logvar_->describe() + ", decoder=" + decoder_->describe() + ")";
}

}  // namespace descent
