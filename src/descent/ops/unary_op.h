#pragma once
// The loop shared by the elementwise unary ops (ops/unary.cpp, ops/activation_table.cpp): the
// forward formula over every element, then the chain rule g_x += g_y * dy/dx on the tape.
// Templates over the formulas, so each op's loops inline them and vectorize. Both loops run in
// pieces on descent's threads (util/parallel.h); a hidden layer's batch (128 x 256) is two.
#include <cstdint>

#include "descent/autograd/record.h"
#include "descent/tensor/tensor.h"
#include "descent/util/parallel.h"

namespace descent {

// forward(x) -> y; derivative(x, y) -> dy/dx (either argument may be the cheaper one to use).
template <class Forward, class Derivative>
Tensor unary_op(const Tensor& x, const char* name, Forward forward, Derivative derivative) {
  Tensor y = Tensor::empty(x.shape());
  const float* xp = x.data();
  float* yp = y.data();
  parallel_pieces(x.numel(), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) yp[i] = forward(xp[i]);
  });
  if (needs_grad({&x})) {
    record(y, name, {x}, [x, out = y.impl()->data, derivative](const float* g) {
      float* gx = input_grad(x);
      const float* xv = x.data();
      const float* yv = out->data();
      parallel_pieces(x.numel(), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) gx[i] += g[i] * derivative(xv[i], yv[i]);
      });
    });
  }
  return y;
}

}  // namespace descent
