#pragma once
// Linear: y = x W^T + b, with W of shape [out, in] as in PyTorch's nn.Linear.
#include "descent/nn/init.h"
#include "descent/nn/module.h"
#include "descent/ops/ops.h"

namespace descent {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias, Generator& gen,
         const InitSpec& weight_init = {}, const InitSpec& bias_init = {});

  Tensor forward(const Tensor& x) override { return linear(x, weight, bias); }
  std::vector<NamedTensor> named_parameters(const std::string& prefix) const override;
  std::string describe() const override;

  Tensor weight;  // [out, in]
  Tensor bias;    // [out], or undefined
};

}  // namespace descent
