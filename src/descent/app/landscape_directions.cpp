#include "descent/app/landscape_directions.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace descent {
namespace {

void require_same(const Weights& a, const Weights& b) {
  if (a.size() != b.size())
    throw std::invalid_argument("weights: lists of " + std::to_string(a.size()) + " and " +
                                std::to_string(b.size()) + " tensors");
  for (size_t k = 0; k < a.size(); ++k)
    if (a[k].name != b[k].name || a[k].tensor.shape() != b[k].tensor.shape())
      throw std::invalid_argument("weights: tensor '" + a[k].name + "' " +
                                  to_string(a[k].tensor.shape()) + " against '" + b[k].name + "' " +
                                  to_string(b[k].tensor.shape()));
}

double norm(const float* v, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(v[i]) * v[i];
  return std::sqrt(s);
}

// Scales v (n values) to the norm of w; zero when either is zero.
void scale_to(float* v, const float* w, int64_t n) {
  const double dn = norm(v, n), wn = norm(w, n);
  const double s = dn > 0 ? wn / dn : 0;
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(v[i] * s);
}

}  // namespace

Weights copy_weights(const Module& model) {
  Weights out;
  for (const NamedTensor& p : model.named_parameters()) out.push_back({p.name, p.tensor.clone()});
  return out;
}

void set_weights(const Module& model, const Weights& weights) {
  const Weights params = model.named_parameters();
  require_same(params, weights);
  for (size_t k = 0; k < params.size(); ++k) {
    Tensor target = params[k].tensor;
    std::copy_n(weights[k].tensor.data(), target.numel(), target.data());
  }
}

Weights add_scaled(const Weights& a, double s, const Weights& b) {
  require_same(a, b);
  Weights out;
  const auto sf = static_cast<float>(s);
  for (size_t k = 0; k < a.size(); ++k) {
    Tensor t = Tensor::empty(a[k].tensor.shape());
    const float *x = a[k].tensor.data(), *y = b[k].tensor.data();
    float* z = t.data();
    for (int64_t i = 0; i < t.numel(); ++i) z[i] = x[i] + sf * y[i];
    out.push_back({a[k].name, t});
  }
  return out;
}

Weights zeros_like(const Weights& like) {
  Weights out;
  for (const NamedTensor& p : like) out.push_back({p.name, Tensor::zeros(p.tensor.shape())});
  return out;
}

std::vector<float> flatten(const Weights& weights) {
  std::vector<float> out;
  for (const NamedTensor& p : weights)
    out.insert(out.end(), p.tensor.data(), p.tensor.data() + p.tensor.numel());
  return out;
}

Weights unflatten(const std::vector<float>& values, const Weights& like) {
  Weights out;
  size_t at = 0;
  for (const NamedTensor& p : like) {
    const auto n = static_cast<size_t>(p.tensor.numel());
    if (at + n > values.size()) break;
    out.push_back({p.name, Tensor::from(p.tensor.shape(), {values.data() + at, n})});
    at += n;
  }
  if (at != values.size() || out.size() != like.size())
    throw std::invalid_argument("weights: " + std::to_string(values.size()) +
                                " values for tensors of " + std::to_string(at) + " in all");
  return out;
}

Weights filter_normalized_direction(const Weights& weights, Generator& gen, bool include_biases) {
  Weights out;
  for (const NamedTensor& p : weights) {
    const Tensor& w = p.tensor;
    Tensor d = Tensor::normal(w.shape(), 0.0f, 1.0f, gen);
    if (w.dim() >= 2) {
      const int64_t rows = w.size(0), cols = w.numel() / std::max<int64_t>(rows, 1);
      for (int64_t r = 0; r < rows; ++r) scale_to(d.data() + r * cols, w.data() + r * cols, cols);
    } else if (w.dim() == 1 && include_biases) {
      scale_to(d.data(), w.data(), w.numel());
    } else {
      std::fill_n(d.data(), d.numel(), 0.0f);
    }
    out.push_back({p.name, d});
  }
  return out;
}

}  // namespace descent
