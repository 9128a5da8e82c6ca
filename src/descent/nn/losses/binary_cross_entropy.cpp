// Binary cross-entropy on logits, with PyTorch's pos_weight. A fused op: one pass forward, one
// backward.
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
using losses::require_same_shape;

namespace {

// pos_weight for each element: one number for all, or one per output along the last dimension.
std::vector<double> positive_weights(const std::vector<double>& pos_weight, const Tensor& z) {
  const int64_t outputs = z.dim() == 0 ? 1 : z.size(-1);
  for (double p : pos_weight)
    if (!(p > 0) || !std::isfinite(p))
      throw std::invalid_argument("binary_cross_entropy_with_logits: pos_weight holds " +
                                  std::to_string(p) + ", expected finite numbers > 0");
  if (pos_weight.size() > 1 && static_cast<int64_t>(pos_weight.size()) != outputs)
    throw std::invalid_argument(
        "binary_cross_entropy_with_logits: pos_weight has " + std::to_string(pos_weight.size()) +
        " values, expected 1 or one per output (" + std::to_string(outputs) + ")");
  return pos_weight;
}

}  // namespace

// With s = sigmoid(z) and softplus(-z) = log(1 + exp(-z)) = -log s, an element costs
//   -[p t log s + (1 - t) log(1 - s)] = (1 - t) z + (1 + (p - 1) t) softplus(-z),
// PyTorch's form, stable for large |z|. Without pos_weight (p = 1) it is the familiar
// max(z, 0) - z t + log(1 + exp(-|z|)), computed as before so default runs keep their bits.
Tensor BCEWithLogitsLoss::operator()(const Tensor& z, const Tensor& t) const {
  require_same_shape(z, t, "binary_cross_entropy_with_logits");
  const int64_t n = z.numel();
  const double div = divisor(reduction, n, "binary_cross_entropy_with_logits");
  const std::vector<double> pw = positive_weights(pos_weight, z);
  const int64_t period = static_cast<int64_t>(pw.size());  // 0, 1, or the outputs
  auto weight_at = [pw, period](int64_t i) { return period == 0 ? 1.0 : pw[i % period]; };
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = z.data()[i], y = t.data()[i];
    if (period == 0) {
      total += std::max(x, 0.0) - x * y + std::log1p(std::exp(-std::fabs(x)));
    } else {
      const double softplus_neg = std::max(-x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
      total += (1 - y) * x + (1 + (weight_at(i) - 1) * y) * softplus_neg;
    }
  }
  Tensor loss = Tensor::full({}, static_cast<float>(total / div));
  record(loss, "binary_cross_entropy_with_logits", {z, t},
         [z, t, n, div, period, weight_at](const float* g) {
           const float scale = g[0] / static_cast<float>(div);
           float* gz = input_grad(z);
           float* gt = input_grad(t);
           for (int64_t i = 0; i < n; ++i) {
             const float x = z.data()[i];
             if (period == 0) {
               const float s =
                   x >= 0 ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x));
               if (gz) gz[i] += scale * (s - t.data()[i]);
               if (gt) gt[i] -= scale * x;
               continue;
             }
             // d/dz = (1 - t) - (1 + (p - 1) t) sigmoid(-z); d/dt = -z + (p - 1) softplus(-z).
             const double xd = x, y = t.data()[i], p = weight_at(i);
             const double e = std::exp(-std::fabs(xd));
             const double sigmoid_neg = xd >= 0 ? e / (1 + e) : 1 / (1 + e);
             const double lw = 1 + (p - 1) * y;
             if (gz) gz[i] += scale * static_cast<float>((1 - y) - lw * sigmoid_neg);
             if (gt)
               gt[i] +=
                   scale * static_cast<float>(-xd + (p - 1) * (std::max(-xd, 0.0) + std::log1p(e)));
           }
         });
  return loss;
}

Tensor binary_cross_entropy_with_logits(const Tensor& z, const Tensor& t) {
  return BCEWithLogitsLoss{}(z, t);
}

}  // namespace descent
