#pragma once
// Autoencoders: an encoder f from inputs to codes and a decoder g from codes back to inputs,
// trained so that g(f(x)) reproduces x (the objectives are in train/objectives/). Parameters are
// named as in a PyTorch module with `encoder` and `decoder` nn.Sequential members
// ("encoder.0.weight", "decoder.2.bias"); the variational one adds its two heads, `mu` and
// `logvar` ("mu.weight", "logvar.bias").
#include <memory>

#include "descent/nn/linear.h"
#include "descent/nn/sequential.h"

namespace descent {

// What both kinds share: an encoder and a decoder, switched between training and evaluation
// together, whose layers' random streams (dropout) checkpoints save.
class EncoderDecoder : public Module {
 public:
  std::vector<Generator*> generators() override;
  void set_training(bool on) override;

  Sequential& encoder() { return *encoder_; }
  Sequential& decoder() { return *decoder_; }

 protected:
  EncoderDecoder(std::unique_ptr<Sequential> encoder, std::unique_ptr<Sequential> decoder);
  std::unique_ptr<Sequential> encoder_, decoder_;
};

class Autoencoder : public EncoderDecoder {
 public:
  Autoencoder(std::unique_ptr<Sequential> encoder, std::unique_ptr<Sequential> decoder);

  Tensor encode(const Tensor& x) { return encoder_->forward(x); }  // the code h = f(x)
  Tensor decode(const Tensor& code) { return decoder_->forward(code); }
  Tensor forward(const Tensor& x) override { return decode(encode(x)); }

  std::vector<NamedTensor> named_parameters(const std::string& prefix = "") const override;
  std::string describe() const override;
};

// The variational autoencoder: the encoder's output feeds two linear heads, the mean and the log
// variance of a Gaussian over codes; training decodes a sample z = mu + exp(logvar / 2) eps
// (objectives/variational.h). forward() decodes the mean: the reconstruction without sampling.
class VariationalAutoencoder : public EncoderDecoder {
 public:
  VariationalAutoencoder(std::unique_ptr<Sequential> encoder, std::unique_ptr<Linear> mu,
                         std::unique_ptr<Linear> logvar, std::unique_ptr<Sequential> decoder);

  struct Encoding {
    Tensor mu, logvar;
  };
  Encoding encode(const Tensor& x);
  Tensor decode(const Tensor& z) { return decoder_->forward(z); }
  Tensor forward(const Tensor& x) override { return decode(encode(x).mu); }

  std::vector<NamedTensor> named_parameters(const std::string& prefix = "") const override;
  std::string describe() const override;

  int64_t code_size() const { return mu_->weight.size(0); }

 private:
  std::unique_ptr<Linear> mu_, logvar_;
};

}  // namespace descent
