// softmax and log_softmax along an axis, both shifted by the maximum for stability.
//   softmax:     y = exp(x - max) / sum exp(x - max);   g_x = y * (g - sum(g * y))
//   log_softmax: y = x - max - log sum exp(x - max);    g_x = g - softmax(x) * sum(g)
#include <cmath>

#include "descent/autograd/record.h"
#include "descent/ops/ops.h"

namespace descent {
namespace {

struct Lanes {
  int64_t outer = 1, n = 1, inner = 1;
};

Lanes lanes(const Shape& shape, int64_t axis, const char* op) {
  const int64_t a = normalize_axis(axis, static_cast<int64_t>(shape.size()), op);
  Lanes l;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < a) l.outer *= shape[d];
    if (d > a) l.inner *= shape[d];
  }
  l.n = shape[a];
  return l;
}

// Writes log-softmax (log_space) or softmax of each lane of x into y.
void softmax_forward(const float* x, float* y, const Lanes& l, bool log_space) {
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t i = 0; i < l.inner; ++i) {
      const float* xl = x + o * l.n * l.inner + i;
      float* yl = y + o * l.n * l.inner + i;
      float m = xl[0];
      for (int64_t k = 1; k < l.n; ++k) m = std::max(m, xl[k * l.inner]);
      double s = 0;
      for (int64_t k = 0; k < l.n; ++k) s += std::exp(xl[k * l.inner] - m);
      if (log_space) {
        const float lse = m + static_cast<float>(std::log(s));
        for (int64_t k = 0; k < l.n; ++k) yl[k * l.inner] = xl[k * l.inner] - lse;
      } else {
        const float inv = static_cast<float>(1.0 / s);
        for (int64_t k = 0; k < l.n; ++k) yl[k * l.inner] = std::exp(xl[k * l.inner] - m) * inv;
      }
    }
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t axis) {
  const Lanes l = lanes(x.shape(), axis, "softmax");
  Tensor y = Tensor::empty(x.shape());
  softmax_forward(x.data(), y.data(), l, false);
  record(y, "softmax", {x}, [x, out = y.impl()->data, l](const float* g) {
    float* gx = input_grad(x);
    const float* yv = out->data();
    for (int64_t o = 0; o < l.outer; ++o)
      for (int64_t i = 0; i < l.inner; ++i) {
        const int64_t base = o * l.n * l.inner + i;
        double dot = 0;
        for (int64_t k = 0; k < l.n; ++k) dot += g[base + k * l.inner] * yv[base + k * l.inner];
        for (int64_t k = 0; k < l.n; ++k) {
          const int64_t j = base + k * l.inner;
          gx[j] += yv[j] * (g[j] - static_cast<float>(dot));
        }
      }
  });
  return y;
}

Tensor log_softmax(const Tensor& x, int64_t axis) {
  const Lanes l = lanes(x.shape(), axis, "log_softmax");
  Tensor y = Tensor::empty(x.shape());
  softmax_forward(x.data(), y.data(), l, true);
  record(y, "log_softmax", {x}, [x, out = y.impl()->data, l](const float* g) {
    float* gx = input_grad(x);
    const float* yv = out->data();
    for (int64_t o = 0; o < l.outer; ++o)
      for (int64_t i = 0; i < l.inner; ++i) {
        const int64_t base = o * l.n * l.inner + i;
        double gsum = 0;
        for (int64_t k = 0; k < l.n; ++k) gsum += g[base + k * l.inner];
        for (int64_t k = 0; k < l.n; ++k) {
          const int64_t j = base + k * l.inner;
          gx[j] += g[j] - std::exp(yv[j]) * static_cast<float>(gsum);
        }
      }
  });
  return y;
}

}  // namespace descent
