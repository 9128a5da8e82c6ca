// Cross-entropy on logits, with PyTorch's class weights and label smoothing, and the negative
// log-likelihood on log-probabilities. Fused ops: one pass forward, one backward.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "descent/autograd/record.h"
#include "descent/nn/loss.h"
#include "descent/nn/losses/common.h"

namespace descent {

using losses::class_indices;
using losses::divisor;

// With p = softmax(z) and nl_c = -log p_c, example i with class k costs
//   L_i = a_i nl_k + b sum_c w_c nl_c,   a_i = (1 - eps) w_k,   b = eps / classes
// (PyTorch's cross_entropy: (1 - eps) times the weighted nll, plus eps / classes times the
// weighted sum over classes), and dL_i/dz_j = p_j (a_i + b W) - a_i [j = k] - b w_j, W = sum_c w_c.
// The mean divides by sum_i w_{k_i}, which is n without weights.
Tensor CrossEntropyLoss::operator()(const Tensor& logits, const Tensor& target) const {
  if (!(label_smoothing >= 0 && label_smoothing <= 1))
    throw std::invalid_argument("cross_entropy: label_smoothing = " +
                                std::to_string(label_smoothing) + " is outside [0, 1]");
  std::vector<int32_t> k = class_indices(logits, target, "cross_entropy");
  const int64_t n = logits.size(0), c = logits.size(1);
  std::vector<double> w = losses::per_class(weight, c, "cross_entropy", "weight");
  if (reduction == Reduction::BatchMean) divisor(reduction, n, "cross_entropy");  // refuses it
  const double eps = label_smoothing;
  const double b = eps / static_cast<double>(c);
  double w_sum = 0;
  for (double v : w) w_sum += v;
  // Keep the softmax for backward.
  Tensor probs = Tensor::empty(logits.shape());
  double total = 0, den = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float* z = logits.data() + i * c;
    float* p = probs.data() + i * c;
    float m = z[0];
    for (int64_t j = 1; j < c; ++j) m = std::max(m, z[j]);
    double s = 0;
    for (int64_t j = 0; j < c; ++j) {
      p[j] = std::exp(z[j] - m);
      s += p[j];
    }
    const float inv = static_cast<float>(1.0 / s);
    for (int64_t j = 0; j < c; ++j) p[j] *= inv;
    const double log_s = std::log(s);
    // -log p_k, written as the unsmoothed loss always was, so default runs keep their bits.
    total += (1 - eps) * w[k[i]] * -(static_cast<double>(z[k[i]] - m) - log_s);
    if (eps > 0) {
      double smooth = 0;
      for (int64_t j = 0; j < c; ++j) smooth += w[j] * -(static_cast<double>(z[j] - m) - log_s);
      total += b * smooth;
    }
    den += w[k[i]];
  }
  if (reduction == Reduction::Sum) den = 1;
  Tensor loss = Tensor::full({}, static_cast<float>(total / den));
  record(loss, "cross_entropy", {logits},
         [logits, probs, k = std::move(k), w = std::move(w), n, c, eps, b, w_sum,
          den](const float* g) {
           float* gz = input_grad(logits);
           const float scale = g[0] / static_cast<float>(den);
           for (int64_t i = 0; i < n; ++i) {
             const float* p = probs.data() + i * c;
             const float a = static_cast<float>((1 - eps) * w[k[i]]);
             const float coef = static_cast<float>((1 - eps) * w[k[i]] + b * w_sum);
             for (int64_t j = 0; j < c; ++j)
               gz[i * c + j] +=
                   scale * (p[j] * coef - (j == k[i] ? a : 0.0f) - static_cast<float>(b * w[j]));
           }
         });
  return loss;
}

Tensor NLLLoss::operator()(const Tensor& log_probs, const Tensor& target) const {
  std::vector<int32_t> k = class_indices(log_probs, target, "nll_loss");
  const int64_t n = log_probs.size(0), c = log_probs.size(1);
  std::vector<double> w = losses::per_class(weight, c, "nll_loss", "weight");
  if (reduction == Reduction::BatchMean) divisor(reduction, n, "nll_loss");  // refuses it
  double total = 0, den = 0;
  for (int64_t i = 0; i < n; ++i) {
    total -= w[k[i]] * log_probs.data()[i * c + k[i]];
    den += w[k[i]];  // n without weights
  }
  if (reduction == Reduction::Sum) den = 1;
  Tensor loss = Tensor::full({}, static_cast<float>(total / den));
  record(loss, "nll_loss", {log_probs},
         [log_probs, k = std::move(k), w = std::move(w), n, c, den](const float* g) {
           float* gl = input_grad(log_probs);
           for (int64_t i = 0; i < n; ++i)
             gl[i * c + k[i]] -= g[0] * static_cast<float>(w[k[i]]) / static_cast<float>(den);
         });
  return loss;
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target) {
  return CrossEntropyLoss{}(logits, target);
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target) {
  return NLLLoss{}(log_probs, target);
}

}  // namespace descent
