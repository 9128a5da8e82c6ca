// The Kullback-Leibler divergence of a target distribution from the input's, PyTorch's KLDivLoss:
// the input is log-probabilities (train.loss = "kl_div" applies log_softmax to the model's outputs
// first, nn/losses/table.cpp). A fused op: one pass forward, one backward.
#include <cmath>
#include <stdexcept>
#include <string>

#include "descent/autograd/record.h"
#include "descent/nn/loss.h"
#include "descent/nn/losses/common.h"

namespace descent {

// An element costs p (log p - x), with 0 log 0 = 0 (PyTorch's xlogy), or exp(t) (t - x) for a
// log-space target t; d/dx = -p. The target is data (soft labels), so it gets no gradient.
Tensor KLDivLoss::operator()(const Tensor& x, const Tensor& target) const {
  losses::require_same_shape(x, target, "kl_div");
  const int64_t n = x.numel();
  // batchmean: the sum over a batch's rows divided by the rows, the KL divergence per example.
  const double div = reduction == Reduction::BatchMean ? (x.dim() == 0 ? 1.0 : x.size(0))
                     : reduction == Reduction::Sum     ? 1.0
                                                       : static_cast<double>(n);
  const bool log_space = log_target;
  auto prob = [log_space](float v) { return log_space ? std::exp(static_cast<double>(v)) : v; };
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double v = target.data()[i], p = prob(target.data()[i]);
    const double p_log_p = log_space ? p * v : (p == 0 ? 0.0 : p * std::log(p));
    total += p_log_p - p * x.data()[i];
  }
  Tensor loss = Tensor::full({}, static_cast<float>(total / div));
  record(loss, "kl_div", {x}, [x, target, n, div, prob](const float* g) {
    float* gx = input_grad(x);
    const double scale = static_cast<double>(g[0]) / div;
    for (int64_t i = 0; i < n; ++i) gx[i] -= static_cast<float>(scale * prob(target.data()[i]));
  });
  return loss;
}

Tensor kl_div(const Tensor& log_probs, const Tensor& target) {
  return KLDivLoss{}(log_probs, target);
}

}  // namespace descent
