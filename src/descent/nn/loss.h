#pragma once
// Loss functions, mean-reduced as in PyTorch. Class targets are float tensors of shape [n] holding
// class indices (exact up to 2^24), so every target travels as a Tensor.
//   mse_loss(y, t)                         mean((y - t)^2)
//   cross_entropy(logits, k)               -mean_i log_softmax(logits_i)[k_i]
//   nll_loss(log_probs, k)                 -mean_i log_probs_i[k_i]
//   binary_cross_entropy_with_logits(z, t) mean(max(z,0) - z t + log(1 + exp(-|z|)))
#include <functional>
#include <string>

#include "descent/tensor/tensor.h"

namespace descent {

Tensor mse_loss(const Tensor& prediction, const Tensor& target);
Tensor cross_entropy(const Tensor& logits, const Tensor& target);
Tensor nll_loss(const Tensor& log_probs, const Tensor& target);
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target);

// Class indices [n] as one-hot rows [n, classes] (no gradient).
Tensor one_hot(const Tensor& indices, int64_t classes);

using LossFunction = std::function<Tensor(const Tensor& output, const Tensor& target)>;

// By name: mse, cross_entropy, nll, binary_cross_entropy. Throws SpecError listing the names.
LossFunction loss_by_name(const std::string& name);
const std::vector<std::string>& loss_names();
// True when the loss takes class indices (so accuracy is meaningful).
bool loss_is_classification(const std::string& name);

}  // namespace descent
