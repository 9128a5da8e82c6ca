#include "descent/nn/tied_linear.h"

#include "descent/ops/ops.h"

namespace descent {

TiedLinear::TiedLinear(const Linear& source, bool bias, Generator& gen) : weight_(source.weight) {
  if (bias) {
    bias_ = Tensor::empty({weight_.size(1)});
    init_bias(bias_, weight_.size(0), {}, gen);  // fan-in: this layer's inputs
    bias_.requires_grad_();
  }
}

Tensor TiedLinear::forward(const Tensor& x) {
  const Tensor y = matmul(x, weight_);
  return bias_.defined() ? y + bias_ : y;
}

std::vector<NamedTensor> TiedLinear::named_parameters(const std::string& prefix) const {
  if (!bias_.defined()) return {};
  return {{prefix + "bias", bias_}};
}

std::string TiedLinear::describe() const {
  return "TiedLinear(in=" + std::to_string(weight_.size(0)) +
         ", out=" + std::to_string(weight_.size(1)) + (bias_.defined() ? "" : ", bias=false") + ")";
}

}  // namespace descent
