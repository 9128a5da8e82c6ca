// Losses are fused ops: one pass forward, one backward, no intermediate tensors.
#include "descent/nn/loss.h"

#include <cmath>
#include <functional>
#include <stdexcept>
#include <vector>

#include "descent/autograd/record.h"
#include "descent/ops/ops.h"
#include "descent/util/spec.h"

namespace descent {
namespace {

void require_same_shape(const Tensor& a, const Tensor& b, const char* op) {
  if (a.shape() != b.shape())
    throw std::invalid_argument(std::string(op) + ": prediction shape " + to_string(a.shape()) +
                                " differs from target shape " + to_string(b.shape()));
}

// Checks class-index targets against [n, classes] scores and returns them as integers.
std::vector<int32_t> class_indices(const Tensor& scores, const Tensor& target, const char* op) {
  if (scores.dim() != 2)
    throw std::invalid_argument(std::string(op) + ": expects [batch, classes] scores, got " +
                                to_string(scores.shape()));
  if (target.dim() != 1 || target.size(0) != scores.size(0))
    throw std::invalid_argument(std::string(op) + ": expects [" + std::to_string(scores.size(0)) +
                                "] class indices, got target shape " + to_string(target.shape()));
  const int64_t classes = scores.size(1);
  std::vector<int32_t> k(static_cast<size_t>(target.numel()));
  for (int64_t i = 0; i < target.numel(); ++i) {
    const float v = target.data()[i];
    if (v != std::floor(v) || v < 0 || v >= static_cast<float>(classes))
      throw std::invalid_argument(std::string(op) + ": target " + std::to_string(v) + " at row " +
                                  std::to_string(i) + " is not a class index in [0, " +
                                  std::to_string(classes) + ")");
    k[i] = static_cast<int32_t>(v);
  }
  return k;
}

}  // namespace

Tensor mse_loss(const Tensor& y, const Tensor& t) {
  require_same_shape(y, t, "mse_loss");
  const int64_t n = y.numel();
  double acc = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(y.data()[i]) - t.data()[i];
    acc += d * d;
  }
  Tensor loss = Tensor::full({}, static_cast<float>(acc / static_cast<double>(n)));
  record(loss, "mse_loss", {y, t}, [y, t, n](const float* g) {
    const float scale = 2.0f * g[0] / static_cast<float>(n);
    float* gy = input_grad(y);
    float* gt = input_grad(t);
    for (int64_t i = 0; i < n; ++i) {
      const float d = scale * (y.data()[i] - t.data()[i]);
      if (gy) gy[i] += d;
      if (gt) gt[i] -= d;
    }
  });
  return loss;
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target) {
  std::vector<int32_t> k = class_indices(logits, target, "cross_entropy");
  const int64_t n = logits.size(0), c = logits.size(1);
  // Keep the softmax for backward: d loss / d logits = (softmax - onehot) / n.
  Tensor probs = Tensor::empty(logits.shape());
  double total = 0;
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
    total -= static_cast<double>(z[k[i]] - m) - std::log(s);
  }
  Tensor loss = Tensor::full({}, static_cast<float>(total / static_cast<double>(n)));
  record(loss, "cross_entropy", {logits}, [logits, probs, k = std::move(k), n, c](const float* g) {
    float* gz = input_grad(logits);
    const float scale = g[0] / static_cast<float>(n);
    for (int64_t i = 0; i < n; ++i) {
      const float* p = probs.data() + i * c;
      for (int64_t j = 0; j < c; ++j) gz[i * c + j] += scale * (p[j] - (j == k[i] ? 1.0f : 0.0f));
    }
  });
  return loss;
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target) {
  std::vector<int32_t> k = class_indices(log_probs, target, "nll_loss");
  const int64_t n = log_probs.size(0), c = log_probs.size(1);
  double total = 0;
  for (int64_t i = 0; i < n; ++i) total -= log_probs.data()[i * c + k[i]];
  Tensor loss = Tensor::full({}, static_cast<float>(total / static_cast<double>(n)));
  record(loss, "nll_loss", {log_probs}, [log_probs, k = std::move(k), n, c](const float* g) {
    float* gl = input_grad(log_probs);
    for (int64_t i = 0; i < n; ++i) gl[i * c + k[i]] -= g[0] / static_cast<float>(n);
  });
  return loss;
}

Tensor binary_cross_entropy_with_logits(const Tensor& z, const Tensor& t) {
  require_same_shape(z, t, "binary_cross_entropy_with_logits");
  const int64_t n = z.numel();
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = z.data()[i], y = t.data()[i];
    total += std::max(x, 0.0) - x * y + std::log1p(std::exp(-std::fabs(x)));
  }
  Tensor loss = Tensor::full({}, static_cast<float>(total / static_cast<double>(n)));
  record(loss, "binary_cross_entropy_with_logits", {z, t}, [z, t, n](const float* g) {
    const float scale = g[0] / static_cast<float>(n);
    float* gz = input_grad(z);
    float* gt = input_grad(t);
    for (int64_t i = 0; i < n; ++i) {
      const float x = z.data()[i];
      const float s = x >= 0 ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x));
      if (gz) gz[i] += scale * (s - t.data()[i]);
      if (gt) gt[i] -= scale * x;
    }
  });
  return loss;
}

namespace {

// mean(phi(y - t)) as one fused op; phi and its derivative in double, as the table gives them.
Tensor elementwise_mean_loss(const Tensor& y, const Tensor& t, const char* op,
                             const std::function<double(double)>& phi,
                             const std::function<double(double)>& dphi) {
  require_same_shape(y, t, op);
  const int64_t n = y.numel();
  double acc = 0;
  for (int64_t i = 0; i < n; ++i) acc += phi(static_cast<double>(y.data()[i]) - t.data()[i]);
  Tensor loss = Tensor::full({}, static_cast<float>(acc / static_cast<double>(n)));
  record(loss, op, {y, t}, [y, t, n, dphi](const float* g) {
    const double scale = static_cast<double>(g[0]) / static_cast<double>(n);
    float* gy = input_grad(y);
    float* gt = input_grad(t);
    for (int64_t i = 0; i < n; ++i) {
      const float d =
          static_cast<float>(scale * dphi(static_cast<double>(y.data()[i]) - t.data()[i]));
      if (gy) gy[i] += d;
      if (gt) gt[i] -= d;
    }
  });
  return loss;
}

double sign_of(double d) { return static_cast<double>((d > 0) - (d < 0)); }  // torch.sign: 0 at 0

double smooth_l1(double d, double beta) {
  return std::fabs(d) < beta ? 0.5 * d * d / beta : std::fabs(d) - 0.5 * beta;
}
double smooth_l1_grad(double d, double beta) { return std::fabs(d) < beta ? d / beta : sign_of(d); }
double huber(double d, double delta) {
  return std::fabs(d) <= delta ? 0.5 * d * d : delta * (std::fabs(d) - 0.5 * delta);
}
double huber_grad(double d, double delta) { return std::fabs(d) <= delta ? d : delta * sign_of(d); }

const ElementwiseLoss kElementwiseLosses[] = {
    {"l1", [](double d) { return std::fabs(d); }, sign_of, [](double) { return 0.0; }},
    {"smooth_l1", [](double d) { return smooth_l1(d, 1.0); },
     [](double d) { return smooth_l1_grad(d, 1.0); },
     [](double d) { return std::fabs(d) < 1.0 ? 1.0 : 0.0; }},
    {"huber", [](double d) { return huber(d, 1.0); }, [](double d) { return huber_grad(d, 1.0); },
     [](double d) { return std::fabs(d) <= 1.0 ? 1.0 : 0.0; }},
};

}  // namespace

Tensor l1_loss(const Tensor& y, const Tensor& t) {
  return elementwise_mean_loss(
      y, t, "l1_loss", [](double d) { return std::fabs(d); }, sign_of);
}

Tensor smooth_l1_loss(const Tensor& y, const Tensor& t, double beta) {
  if (!(beta > 0)) throw std::invalid_argument("smooth_l1_loss: beta must be > 0");
  return elementwise_mean_loss(
      y, t, "smooth_l1_loss", [beta](double d) { return smooth_l1(d, beta); },
      [beta](double d) { return smooth_l1_grad(d, beta); });
}

Tensor huber_loss(const Tensor& y, const Tensor& t, double delta) {
  if (!(delta > 0)) throw std::invalid_argument("huber_loss: delta must be > 0");
  return elementwise_mean_loss(
      y, t, "huber_loss", [delta](double d) { return huber(d, delta); },
      [delta](double d) { return huber_grad(d, delta); });
}

const ElementwiseLoss* elementwise_loss(const std::string& name) {
  for (const ElementwiseLoss& l : kElementwiseLosses)
    if (name == l.name) return &l;
  return nullptr;
}

Tensor one_hot(const Tensor& indices, int64_t classes) {
  Tensor out = Tensor::zeros({indices.numel(), classes});
  for (int64_t i = 0; i < indices.numel(); ++i) {
    const float v = indices.data()[i];
    if (v != std::floor(v) || v < 0 || v >= static_cast<float>(classes))
      throw std::invalid_argument("one_hot: " + std::to_string(v) + " at row " + std::to_string(i) +
                                  " is not a class index in [0, " + std::to_string(classes) + ")");
    out.data()[i * classes + static_cast<int64_t>(v)] = 1.0f;
  }
  return out;
}

const std::vector<std::string>& loss_names() {
  static const std::vector<std::string> names = {
      "cross_entropy", "mse", "nll", "binary_cross_entropy", "l1", "smooth_l1", "huber"};
  return names;
}

bool loss_is_classification(const std::string& name) {
  return name == "cross_entropy" || name == "nll";
}

LossFunction loss_by_name(const std::string& name) {
  if (name == "mse") return mse_loss;
  if (name == "cross_entropy") return cross_entropy;
  if (name == "nll") return nll_loss;
  if (name == "binary_cross_entropy") return binary_cross_entropy_with_logits;
  if (name == "l1") return l1_loss;
  if (name == "smooth_l1")
    return [](const Tensor& y, const Tensor& t) { return smooth_l1_loss(y, t); };
  if (name == "huber") return [](const Tensor& y, const Tensor& t) { return huber_loss(y, t); };
  std::string valid;
  for (auto& n : loss_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw SpecError("unknown loss '" + name + "' (valid: " + valid + ")");
}

}  // namespace descent
