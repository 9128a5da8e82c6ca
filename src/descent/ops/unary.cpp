// Elementwise unary ops other than the activations (those are the table in
// ops/activation_table.cpp). Each is a forward formula and its derivative dy/dx, written side by
// side; unary_op() (ops/unary_op.h) runs the forward loop and records the chain rule.
#include <cmath>

#include "descent/ops/ops.h"
#include "descent/ops/unary_op.h"

namespace descent {

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

}  // namespace descent
