// The margin losses: hinge_embedding (PyTorch's HingeEmbeddingLoss, targets of 1 and -1) and
// multi_margin (MultiMarginLoss, the multi-class hinge loss on class indices). Fused ops: one
// pass forward, one backward.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "descent/autograd/record.h"
#include "descent/nn/loss.h"
#include "descent/nn/losses/common.h"

namespace descent {

using losses::divisor;

// An element costs x where y = 1 and max(0, margin - x) where y = -1: d/dx = 1, or -1 inside the
// margin. PyTorch adds both terms for any other target; that is never meant, so it is refused.
Tensor HingeEmbeddingLoss::operator()(const Tensor& x, const Tensor& target) const {
  losses::require_same_shape(x, target, "hinge_embedding_loss");
  const int64_t n = x.numel();
  const double div = divisor(reduction, n, "hinge_embedding_loss");
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float y = target.data()[i];
    if (y != 1 && y != -1)
      throw std::invalid_argument("hinge_embedding_loss: target " + std::to_string(y) +
                                  " at element " + std::to_string(i) + " is not 1 or -1");
    const double v = x.data()[i];
    total += y == 1 ? v : std::max(0.0, margin - v);
  }
  Tensor loss = Tensor::full({}, static_cast<float>(total / div));
  record(loss, "hinge_embedding_loss", {x}, [x, target, n, div, margin = margin](const float* g) {
    float* gx = input_grad(x);
    const float scale = static_cast<float>(g[0] / div);
    for (int64_t i = 0; i < n; ++i) {
      if (target.data()[i] == 1)
        gx[i] += scale;
      else if (margin - static_cast<double>(x.data()[i]) >= 0)  // clamp_min's slope at 0
        gx[i] -= scale;
    }
  });
  return loss;
}

// Example i with class k costs sum_{j != k} w_k h(margin - x_k + x_j) / classes, h(d) = max(0, d)
// or max(0, d)^2 (p = 2), PyTorch's MultiMarginLoss (the weight multiplies after the power); each
// active term pushes x_j up by w_k h'(d) / classes and x_k down by as much.
Tensor MultiMarginLoss::operator()(const Tensor& x, const Tensor& target) const {
  if (p != 1 && p != 2)
    throw std::invalid_argument("multi_margin_loss: p = " + std::to_string(p) + " is not 1 or 2");
  std::vector<int32_t> k = losses::class_indices(x, target, "multi_margin_loss");
  const int64_t n = x.size(0), c = x.size(1);
  std::vector<double> w = losses::per_class(weight, c, "multi_margin_loss", "weight");
  const double div = divisor(reduction, n, "multi_margin_loss");
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = x.data() + i * c;
    double sum = 0;
    for (int64_t j = 0; j < c; ++j) {
      if (j == k[i]) continue;
      const double d = margin - row[k[i]] + row[j];
      if (d > 0) sum += p == 1 ? d : d * d;
    }
    total += w[k[i]] * sum / static_cast<double>(c);
  }
  Tensor loss = Tensor::full({}, static_cast<float>(total / div));
  record(
      loss, "multi_margin_loss", {x},
      [x, k = std::move(k), w = std::move(w), n, c, div, p = p, margin = margin](const float* g) {
        float* gx = input_grad(x);
        const double scale = static_cast<double>(g[0]) / div / static_cast<double>(c);
        for (int64_t i = 0; i < n; ++i) {
          const float* row = x.data() + i * c;
          float* grow = gx + i * c;
          double pull = 0;  // what x_k loses, the sum of the active terms' slopes
          for (int64_t j = 0; j < c; ++j) {
            if (j == k[i]) continue;
            const double d = margin - row[k[i]] + row[j];
            if (d <= 0) continue;
            const double slope = scale * w[k[i]] * (p == 1 ? 1.0 : 2 * d);
            grow[j] += static_cast<float>(slope);
            pull += slope;
          }
          grow[k[i]] -= static_cast<float>(pull);
        }
      });
  return loss;
}

Tensor hinge_embedding_loss(const Tensor& x, const Tensor& target) {
  return HingeEmbeddingLoss{}(x, target);
}

Tensor multi_margin_loss(const Tensor& x, const Tensor& target) {
  return MultiMarginLoss{}(x, target);
}

}  // namespace descent
