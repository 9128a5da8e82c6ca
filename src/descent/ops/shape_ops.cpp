// reshape (a view on the same data) and transpose (a copy with two dimensions swapped).
#include <stdexcept>

#include "descent/autograd/record.h"
#include "descent/ops/ops.h"

namespace descent {

Tensor reshape(const Tensor& x, Shape shape) {
  int64_t known = 1, infer = -1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == -1) {
      if (infer >= 0) throw std::invalid_argument("reshape: only one size may be -1");
      infer = static_cast<int64_t>(d);
    } else {
      known *= shape[d];
    }
  }
  if (infer >= 0 && known > 0) shape[infer] = x.numel() / known;
  if (numel(shape) != x.numel())
    throw std::invalid_argument("reshape: cannot view " + to_string(x.shape()) + " as " +
                                to_string(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = std::move(shape);
  impl->data = x.impl()->data;
  Tensor y(std::move(impl));
  const int64_t n = x.numel();
  record(y, "reshape", {x}, [x, n](const float* g) {
    float* gx = input_grad(x);
    for (int64_t i = 0; i < n; ++i) gx[i] += g[i];
  });
  return y;
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  const int64_t rank = x.dim();
  const int64_t a = normalize_axis(dim0, rank, "transpose");
  const int64_t b = normalize_axis(dim1, rank, "transpose");
  Shape out_shape = x.shape();
  std::swap(out_shape[a], out_shape[b]);
  // Input strides, permuted to the output's dimension order.
  std::vector<int64_t> in_stride(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d) in_stride[d] = in_stride[d + 1] * x.shape()[d + 1];
  std::swap(in_stride[a], in_stride[b]);
  // source[i] = input offset of output element i.
  const int64_t n = x.numel();
  std::vector<int64_t> source(static_cast<size_t>(n));
  std::vector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (int64_t i = 0; i < n; ++i) {
    source[i] = offset;
    for (int64_t d = rank - 1; d >= 0; --d) {
      offset += in_stride[d];
      if (++index[d] < out_shape[d]) break;
      offset -= in_stride[d] * out_shape[d];
      index[d] = 0;
    }
  }
  Tensor y = Tensor::empty(out_shape);
  const float* xp = x.data();
  float* yp = y.data();
  for (int64_t i = 0; i < n; ++i) yp[i] = xp[source[i]];
  record(y, "transpose", {x}, [x, source = std::move(source)](const float* g) {
    float* gx = input_grad(x);
    for (size_t i = 0; i < source.size(); ++i) gx[source[i]] += g[i];
  });
  return y;
}

}  // namespace descent
