// Elementwise binary ops with broadcasting: add, sub, mul, div. The backward rules sum the
// gradient over stretched dimensions, so a bias row of shape [n] added to [m, n] gets the
// column sums.
#include <stdexcept>

#include "descent/autograd/record.h"
#include "descent/ops/broadcast.h"
#include "descent/ops/ops.h"

namespace descent {

BroadcastPlan broadcast_plan(const Shape& a, const Shape& b, const char* op) {
  const size_t rank = std::max(a.size(), b.size());
  BroadcastPlan p;
  p.out.assign(rank, 1);
  p.stride_a.assign(rank, 0);
  p.stride_b.assign(rank, 0);
  int64_t stride_a = 1, stride_b = 1;
  for (size_t i = 0; i < rank; ++i) {  // from the last dimension
    const size_t d = rank - 1 - i;
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument(std::string(op) + ": shapes " + to_string(a) + " and " +
                                  to_string(b) + " do not broadcast");
    p.out[d] = da == 1 ? db : da;
    p.stride_a[d] = da == 1 ? 0 : stride_a;
    p.stride_b[d] = db == 1 ? 0 : stride_b;
    stride_a *= da;
    stride_b *= db;
  }
  return p;
}

namespace {

// forward(a, b) -> out; da(a, b) and db(a, b) are the partial derivatives.
template <class Forward, class DA, class DB>
Tensor binary_op(const Tensor& a, const Tensor& b, const char* name, Forward forward, DA da,
                 DB db) {
  BroadcastPlan plan = broadcast_plan(a.shape(), b.shape(), name);
  Tensor out = Tensor::empty(plan.out);
  const float* ap = a.data();
  const float* bp = b.data();
  float* op = out.data();
  if (a.shape() == b.shape()) {  // the common case, kept a flat loop so it vectorizes
    const int64_t n = out.numel();
    for (int64_t i = 0; i < n; ++i) op[i] = forward(ap[i], bp[i]);
  } else {
    broadcast_for_each(plan,
                       [&](int64_t o, int64_t i, int64_t j) { op[o] = forward(ap[i], bp[j]); });
  }
  if (needs_grad({&a, &b})) {
    record(out, name, {a, b}, [a, b, plan = std::move(plan), da, db](const float* g) {
      const float* av = a.data();
      const float* bv = b.data();
      float* ga = input_grad(a);
      float* gb = input_grad(b);
      broadcast_for_each(plan, [&](int64_t o, int64_t i, int64_t j) {
        if (ga) ga[i] += g[o] * da(av[i], bv[j]);
        if (gb) gb[j] += g[o] * db(av[i], bv[j]);
      });
    });
  }
  return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  return binary_op(
      a, b, "add", [](float x, float y) { return x + y; }, [](float, float) { return 1.0f; },
      [](float, float) { return 1.0f; });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  return binary_op(
      a, b, "sub", [](float x, float y) { return x - y; }, [](float, float) { return 1.0f; },
      [](float, float) { return -1.0f; });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  return binary_op(
      a, b, "mul", [](float x, float y) { return x * y; }, [](float, float y) { return y; },
      [](float x, float) { return x; });
}

Tensor div(const Tensor& a, const Tensor& b) {
  return binary_op(
      a, b, "div", [](float x, float y) { return x / y; }, [](float, float y) { return 1.0f / y; },
      [](float x, float y) { return -x / (y * y); });
}

}  // namespace descent
