#pragma once
// A decoder layer whose weight is an encoder layer's, transposed (tied autoencoders): y = x W + b
// for the encoder's W of shape [out, in], so it maps the encoder layer's outputs back to its
// inputs. Only the bias is its own parameter; the weight's gradient flows to the encoder's.
#include "descent/nn/linear.h"

namespace descent {

class TiedLinear : public Module {
 public:
  // `source` must outlive this layer (both live in one autoencoder).
  TiedLinear(const Linear& source, bool bias, Generator& gen);

  Tensor forward(const Tensor& x) override;
  std::vector<NamedTensor> named_parameters(const std::string& prefix) const override;
  std::string describe() const override;

  int64_t out_features() const { return weight_.size(1); }

 private:
  Tensor weight_;  // the source's weight (shared storage)
  Tensor bias_;    // [in of the source], or undefined
};

}  // namespace descent
