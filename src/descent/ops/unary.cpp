// Elementwise unary ops. Each is a forward formula and its derivative dy/dx, written side by side;
// unary_op() runs the forward loop and records the chain rule g_x += g_y * dy/dx.
#include <cmath>

#include "descent/autograd/record.h"
#include "descent/ops/ops.h"

namespace descent {
namespace {

// forward(x) -> y; derivative(x, y) -> dy/dx (either argument may be the cheaper one to use).
template <class Forward, class Derivative>
Tensor unary_op(const Tensor& x, const char* name, Forward forward, Derivative derivative) {
  Tensor y = Tensor::empty(x.shape());
  const int64_t n = x.numel();
  const float* xp = x.data();
  float* yp = y.data();
  for (int64_t i = 0; i < n; ++i) yp[i] = forward(xp[i]);
  if (needs_grad({&x})) {
    record(y, name, {x}, [x, out = y.impl()->data, n, derivative](const float* g) {
      float* gx = input_grad(x);
      const float* xv = x.data();
      const float* yv = out->data();
      for (int64_t i = 0; i < n; ++i) gx[i] += g[i] * derivative(xv[i], yv[i]);
    });
  }
  return y;
}

}  // namespace

Tensor add_scalar(const Tensor& x, float s) {
  return unary_op(
      x, "add_scalar", [s](float v) { return v + s; }, [](float, float) { return 1.0f; });
}

Tensor mul_scalar(const Tensor& x, float s) {
  return unary_op(
      x, "mul_scalar", [s](float v) { return v * s; }, [s](float, float) { return s; });
}

Tensor rsub_scalar(const Tensor& x, float s) {
  return unary_op(
      x, "rsub_scalar", [s](float v) { return s - v; }, [](float, float) { return -1.0f; });
}

Tensor rdiv_scalar(const Tensor& x, float s) {
  return unary_op(
      x, "rdiv_scalar", [s](float v) { return s / v; },
      [s](float v, float) { return -s / (v * v); });
}

Tensor pow(const Tensor& x, float p) {
  return unary_op(
      x, "pow", [p](float v) { return std::pow(v, p); },
      [p](float v, float) { return p == 0.0f ? 0.0f : p * std::pow(v, p - 1.0f); });
}

Tensor neg(const Tensor& x) {
  return unary_op(
      x, "neg", [](float v) { return -v; }, [](float, float) { return -1.0f; });
}

Tensor exp(const Tensor& x) {
  return unary_op(
      x, "exp", [](float v) { return std::exp(v); }, [](float, float y) { return y; });
}

Tensor log(const Tensor& x) {
  return unary_op(
      x, "log", [](float v) { return std::log(v); }, [](float v, float) { return 1.0f / v; });
}

Tensor sqrt(const Tensor& x) {
  return unary_op(
      x, "sqrt", [](float v) { return std::sqrt(v); }, [](float, float y) { return 0.5f / y; });
}

Tensor abs(const Tensor& x) {
  return unary_op(
      x, "abs", [](float v) { return std::fabs(v); },
      [](float v, float) { return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f); });
}

Tensor sin(const Tensor& x) {
  return unary_op(
      x, "sin", [](float v) { return std::sin(v); }, [](float v, float) { return std::cos(v); });
}

Tensor cos(const Tensor& x) {
  return unary_op(
      x, "cos", [](float v) { return std::cos(v); }, [](float v, float) { return -std::sin(v); });
}

Tensor tanh(const Tensor& x) {
  return unary_op(
      x, "tanh", [](float v) { return std::tanh(v); }, [](float, float y) { return 1.0f - y * y; });
}

Tensor sigmoid(const Tensor& x) {
  // Split by sign so that exp never overflows.
  return unary_op(
      x, "sigmoid",
      [](float v) {
        if (v >= 0.0f) return 1.0f / (1.0f + std::exp(-v));
        const float e = std::exp(v);
        return e / (1.0f + e);
      },
      [](float, float y) { return y * (1.0f - y); });
}

Tensor relu(const Tensor& x) {
  return unary_op(
      x, "relu", [](float v) { return v > 0.0f ? v : 0.0f; },
      [](float v, float) { return v > 0.0f ? 1.0f : 0.0f; });
}

Tensor elu(const Tensor& x, float alpha) {
  return unary_op(
      x, "elu", [alpha](float v) { return v > 0.0f ? v : alpha * std::expm1(v); },
      [alpha](float v, float y) { return v > 0.0f ? 1.0f : y + alpha; });
}

Tensor leaky_relu(const Tensor& x, float slope) {
  return unary_op(
      x, "leaky_relu", [slope](float v) { return v > 0.0f ? v : slope * v; },
      [slope](float v, float) { return v > 0.0f ? 1.0f : slope; });
}

Tensor softplus(const Tensor& x, float beta, float threshold) {
  // PyTorch: log(1 + exp(beta x)) / beta, and x itself where beta x > threshold.
  return unary_op(
      x, "softplus",
      [beta, threshold](float v) {
        const float bv = beta * v;
        return bv > threshold ? v : std::log1p(std::exp(bv)) / beta;
      },
      [beta, threshold](float v, float) {
        const float bv = beta * v;
        if (bv > threshold) return 1.0f;
        const float e = std::exp(bv);
        return e / (1.0f + e);
      });
}

}  // namespace descent
