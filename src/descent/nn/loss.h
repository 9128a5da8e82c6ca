#pragma once
// Loss functions, mean-reduced as in PyTorch. Class targets are float tensors of shape [n] holding
// class indices (exact up to 2^24), so every target travels as a Tensor.
//   mse_loss(y, t)                         mean((y - t)^2)
//   cross_entropy(logits, k)               -mean_i log_softmax(logits_i)[k_i]
//   nll_loss(log_probs, k)                 -mean_i log_probs_i[k_i]
//   binary_cross_entropy_with_logits(z, t) mean(max(z,0) - z t + log(1 + exp(-|z|)))
//   l1_loss(y, t)                          mean(|y - t|)                         (PyTorch L1Loss)
//   smooth_l1_loss(y, t, beta)             mean(0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta)
//   huber_loss(y, t, delta)                mean(0.5 d^2 if |d| <= delta else delta (|d| - 0.5
//   delta))
// (SmoothL1Loss and HuberLoss; with beta = delta = 1, the default, the two agree.)
#include <functional>
#include <string>

#include "descent/tensor/tensor.h"

namespace descent {

Tensor mse_loss(const Tensor& prediction, const Tensor& target);
Tensor cross_entropy(const Tensor& logits, const Tensor& target);
Tensor nll_loss(const Tensor& log_probs, const Tensor& target);
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target);
Tensor l1_loss(const Tensor& prediction, const Tensor& target);
Tensor smooth_l1_loss(const Tensor& prediction, const Tensor& target, double beta = 1.0);
Tensor huber_loss(const Tensor& prediction, const Tensor& target, double delta = 1.0);

// The regression losses that are a mean over elements of phi(d), d = prediction - target, with
// phi's first and second derivatives (for the exact Hessian, nn/hessian_vector.h): l1,
// smooth_l1 and huber at their defaults. nullptr for any other name.
struct ElementwiseLoss {
  const char* name;
  double (*phi)(double d);
  double (*dphi)(double d);
  double (*d2phi)(double d);
};
const ElementwiseLoss* elementwise_loss(const std::string& name);

// Class indices [n] as one-hot rows [n, classes] (no gradient).
Tensor one_hot(const Tensor& indices, int64_t classes);

using LossFunction = std::function<Tensor(const Tensor& output, const Tensor& target)>;

// By name: mse, cross_entropy, nll, binary_cross_entropy, l1, smooth_l1, huber. Throws SpecError
// listing the names.
LossFunction loss_by_name(const std::string& name);
const std::vector<std::string>& loss_names();
// True when the loss takes class indices (so accuracy is meaningful).
bool loss_is_classification(const std::string& name);

}  // namespace descent
