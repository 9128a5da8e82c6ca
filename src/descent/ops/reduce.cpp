// Reductions: sum, mean and max, over the whole tensor or along one axis. Along an axis the
// tensor is viewed as [outer, n, inner] and the middle dimension is reduced.
#include <limits>
#include <stdexcept>

#include "descent/autograd/record.h"
#include "descent/ops/ops.h"

namespace descent {

int64_t normalize_axis(int64_t axis, int64_t dim, const char* op) {
  const int64_t a = axis < 0 ? axis + dim : axis;
  if (a < 0 || a >= dim)
    throw std::out_of_range(std::string(op) + ": axis " + std::to_string(axis) +
                            " out of range for a tensor of rank " + std::to_string(dim));
  return a;
}

namespace {

struct AxisView {
  int64_t outer = 1, n = 1, inner = 1;
  Shape out_shape;
};

AxisView axis_view(const Shape& shape, int64_t axis, bool keepdim, const char* op) {
  const int64_t a = normalize_axis(axis, static_cast<int64_t>(shape.size()), op);
  AxisView v;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < a) v.outer *= shape[d];
    if (d > a) v.inner *= shape[d];
    if (d != a)
      v.out_shape.push_back(shape[d]);
    else if (keepdim)
      v.out_shape.push_back(1);
  }
  v.n = shape[a];
  return v;
}

Tensor scaled_sum(const Tensor& x, float scale, const char* name) {
  Tensor y = Tensor::empty({});
  const int64_t n = x.numel();
  const float* xp = x.data();
  double acc = 0;  // double: a long float sum loses digits
  for (int64_t i = 0; i < n; ++i) acc += xp[i];
  y.data()[0] = static_cast<float>(acc * scale);
  record(y, name, {x}, [x, n, scale](const float* g) {
    float* gx = input_grad(x);
    const float gs = g[0] * scale;
    for (int64_t i = 0; i < n; ++i) gx[i] += gs;
  });
  return y;
}

Tensor sum_axis(const Tensor& x, int64_t axis, bool keepdim, bool average, const char* name) {
  AxisView v = axis_view(x.shape(), axis, keepdim, name);
  const float scale = average ? 1.0f / static_cast<float>(v.n) : 1.0f;
  Tensor y = Tensor::zeros(v.out_shape);
  const float* xp = x.data();
  float* yp = y.data();
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t k = 0; k < v.n; ++k)
      for (int64_t i = 0; i < v.inner; ++i) yp[o * v.inner + i] += xp[(o * v.n + k) * v.inner + i];
  if (scale != 1.0f)
    for (float& value : y.values()) value *= scale;
  record(y, name, {x}, [x, v, scale](const float* g) {
    float* gx = input_grad(x);
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t k = 0; k < v.n; ++k)
        for (int64_t i = 0; i < v.inner; ++i)
          gx[(o * v.n + k) * v.inner + i] += g[o * v.inner + i] * scale;
  });
  return y;
}

}  // namespace

Tensor sum(const Tensor& x) { return scaled_sum(x, 1.0f, "sum"); }
Tensor mean(const Tensor& x) {
  if (x.numel() == 0) throw std::invalid_argument("mean of an empty tensor");
  return scaled_sum(x, 1.0f / static_cast<float>(x.numel()), "mean");
}
Tensor sum(const Tensor& x, int64_t axis, bool keepdim) {
  return sum_axis(x, axis, keepdim, false, "sum");
}
Tensor mean(const Tensor& x, int64_t axis, bool keepdim) {
  return sum_axis(x, axis, keepdim, true, "mean");
}

Tensor max(const Tensor& x) {
  if (x.numel() == 0) throw std::invalid_argument("max of an empty tensor");
  const float* xp = x.data();
  int64_t best = 0;
  for (int64_t i = 1; i < x.numel(); ++i)
    if (xp[i] > xp[best]) best = i;
  Tensor y = Tensor::full({}, xp[best]);
  record(y, "max", {x}, [x, best](const float* g) { input_grad(x)[best] += g[0]; });
  return y;
}

Tensor max(const Tensor& x, int64_t axis, bool keepdim) {
  AxisView v = axis_view(x.shape(), axis, keepdim, "max");
  if (v.n == 0) throw std::invalid_argument("max along an empty axis");
  Tensor y = Tensor::empty(v.out_shape);
  std::vector<int64_t> argmax(static_cast<size_t>(v.outer * v.inner));
  const float* xp = x.data();
  float* yp = y.data();
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t i = 0; i < v.inner; ++i) {
      int64_t best = 0;
      for (int64_t k = 1; k < v.n; ++k)
        if (xp[(o * v.n + k) * v.inner + i] > xp[(o * v.n + best) * v.inner + i]) best = k;
      argmax[o * v.inner + i] = best;
      yp[o * v.inner + i] = xp[(o * v.n + best) * v.inner + i];
    }
  record(y, "max", {x}, [x, v, argmax = std::move(argmax)](const float* g) {
    float* gx = input_grad(x);
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t i = 0; i < v.inner; ++i)
        gx[(o * v.n + argmax[o * v.inner + i]) * v.inner + i] += g[o * v.inner + i];
  });
  return y;
}

}  // namespace descent
