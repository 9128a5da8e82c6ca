#include "descent/optim/clip_grad.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <span>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "descent/util/parallel.h"
#include "descent/util/sum_squares.h"

namespace descent {
namespace {

std::string format_value(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void check_non_negative(const char* what, double v) {
  if (!(v >= 0.0))  // also rejects NaN
    throw std::invalid_argument(std::string(what) + " must be >= 0, got " + format_value(v));
}

// The norm_type-norm of n values, accumulated in double. A NaN value gives NaN.
template <typename T>
double norm_of(const T* v, size_t n, double norm_type) {
  if (std::isinf(norm_type)) {
    double m = 0;
    for (size_t i = 0; i < n; ++i) {
      const double a = std::fabs(static_cast<double>(v[i]));
      if (std::isnan(a)) return a;
      m = std::max(m, a);
    }
    return m;
  }
  double acc = 0;
  if (norm_type == 2.0) {
    if constexpr (std::is_same_v<T, float>)
      return std::sqrt(sum_squares(v, static_cast<int64_t>(n)));
    for (size_t i = 0; i < n; ++i) acc += static_cast<double>(v[i]) * static_cast<double>(v[i]);
    return std::sqrt(acc);
  }
  for (size_t i = 0; i < n; ++i) acc += std::pow(std::fabs(static_cast<double>(v[i])), norm_type);
  return std::pow(acc, 1.0 / norm_type);
}

std::span<float> grad_of(const Tensor& p) {
  return {p.impl()->grad->data(), static_cast<size_t>(p.numel())};
}

// PyTorch computes coef = (1 / (total + 1e-6)) * max_norm in float (a float tensor divided into
// a Python number is its reciprocal times that number), then multiplies by min(coef, 1).
void scale_to_norm(const std::vector<Tensor>& params, double max_norm, double total) {
  const float coef = (1.0f / (static_cast<float>(total) + 1e-6f)) * static_cast<float>(max_norm);
  if (!(coef >= 1.0f)) scale_grads(params, coef);  // NaN propagates, as in PyTorch
}

// clip_grad_norm over parameters that all have gradients.
double clip_norm(const std::vector<Tensor>& with_grad, double max_norm, double norm_type) {
  if (with_grad.empty()) return 0.0;
  std::vector<double> norms;
  norms.reserve(with_grad.size());
  for (const Tensor& p : with_grad) {
    const std::span<float> g = grad_of(p);
    norms.push_back(norm_of(g.data(), g.size(), norm_type));
  }
  const double total = norm_of(norms.data(), norms.size(), norm_type);
  scale_to_norm(with_grad, max_norm, total);
  return total;
}

std::vector<Tensor> with_grad(const std::vector<Tensor>& params) {
  std::vector<Tensor> out;
  for (const Tensor& p : params)
    if (p.defined() && p.has_grad()) out.push_back(p);
  return out;
}

}  // namespace

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm, double norm_type) {
  check_non_negative("clip_grad_norm: max_norm", max_norm);
  if (!(norm_type > 0.0))
    throw std::invalid_argument("clip_grad_norm: norm_type must be > 0 (or inf), got " +
                                format_value(norm_type));
  return clip_norm(with_grad(params), max_norm, norm_type);
}

void clip_grad_norm_given(const std::vector<Tensor>& params, double max_norm, double total_norm) {
  check_non_negative("clip_grad_norm: max_norm", max_norm);
  scale_to_norm(params, max_norm, total_norm);
}

void scale_grads(const std::vector<Tensor>& params, float factor) {
  for (const Tensor& p : params)
    if (p.defined() && p.has_grad())
      for (float& g : grad_of(p)) g *= factor;
}

void clip_grad_value(const std::vector<Tensor>& params, double clip_value) {
  check_non_negative("clip_grad_value: clip_value", clip_value);
  const float hi = static_cast<float>(clip_value);
  for (const Tensor& p : with_grad(params))
    for (float& g : grad_of(p)) g = std::min(std::max(g, -hi), hi);  // keeps NaN
}

double clip_grad_norm_per_layer(const std::vector<NamedTensor>& params, double max_norm) {
  check_non_negative("clip_grad_norm_per_layer: max_norm", max_norm);
  // Layers in order of first appearance.
  std::vector<std::string> order;
  std::map<std::string, std::vector<Tensor>> layers;
  for (const NamedTensor& p : params) {
    if (!p.tensor.defined() || !p.tensor.has_grad()) continue;
    const size_t dot = p.name.rfind('.');
    const std::string layer = dot == std::string::npos ? p.name : p.name.substr(0, dot);
    auto [it, inserted] = layers.try_emplace(layer);
    if (inserted) order.push_back(layer);
    it->second.push_back(p.tensor);
  }
  double largest = 0.0;
  bool nan = false;  // a NaN layer norm is the result, but every layer is still clipped
  for (const std::string& layer : order) {
    const double norm = clip_norm(layers[layer], max_norm, 2.0);
    nan = nan || std::isnan(norm);
    largest = std::max(largest, norm);
  }
  return nan ? std::nan("") : largest;
}

double grad_norm(const std::vector<Tensor>& params) {
  double acc = 0;
  for (const Tensor& p : with_grad(params)) {
    const float* g = grad_of(p).data();
    // By pieces on descent's threads, added in order: the same on any number of threads.
    acc += parallel_sum<double>(
        p.numel(), [g](int64_t begin, int64_t end) { return sum_squares(g + begin, end - begin); });
  }
  return std::sqrt(acc);
}

std::string first_non_finite_grad(const std::vector<NamedTensor>& params) {
  for (const NamedTensor& p : params) {
    if (!p.tensor.defined() || !p.tensor.has_grad()) continue;
    for (float g : grad_of(p.tensor))
      if (!std::isfinite(g)) return p.name;
  }
  return "";
}

}  // namespace descent
