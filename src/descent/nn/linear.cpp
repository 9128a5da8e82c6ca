#include "descent/nn/linear.h"

#include "descent/ops/ops.h"

namespace descent {

Linear::Linear(int64_t in_features, int64_t out_features, bool has_bias, Generator& gen,
               const InitSpec& weight_init, const InitSpec& bias_init) {
  weight = Tensor::empty({out_features, in_features});
  init_weight(weight, weight_init, gen);
  weight.requires_grad_();
  if (has_bias) {
    bias = Tensor::empty({out_features});
    init_bias(bias, in_features, bias_init, gen);
    bias.requires_grad_();
  }
}

std::vector<NamedTensor> Linear::named_parameters(const std::string& prefix) const {
  std::vector<NamedTensor> out{{prefix + "weight", weight}};
  if (bias.defined()) out.push_back({prefix + "bias", bias});
  return out;
}

std::string Linear::describe() const {
  return "Linear(in=" + std::to_string(weight.size(1)) + ", out=" + std::to_string(weight.size(0)) +
         (bias.defined() ? "" : ", bias=false") + ")";
}

}  // namespace descent
