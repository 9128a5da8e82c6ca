#pragma once
// Broadcasting of two shapes (NumPy rules) and a loop over the result that yields, for each output
// element, the matching element of each operand. Backward rules use the same loop to sum a
// gradient back onto a broadcast operand.
#include <cstdint>
#include <vector>

#include "descent/tensor/shape.h"

namespace descent {

struct BroadcastPlan {
  Shape out;
  std::vector<int64_t> stride_a, stride_b;  // per output dim, in elements; 0 where stretched
};

BroadcastPlan broadcast_plan(const Shape& a, const Shape& b, const char* op);

// Calls f(out_index, a_index, b_index) for every output element, in row-major order.
template <class F>
void broadcast_for_each(const BroadcastPlan& p, F&& f) {
  const int64_t rank = static_cast<int64_t>(p.out.size());
  if (rank == 0) {
    f(0, 0, 0);
    return;
  }
  const int64_t inner = p.out[rank - 1];
  const int64_t sa = p.stride_a[rank - 1], sb = p.stride_b[rank - 1];
  const int64_t outer = inner == 0 ? 0 : numel(p.out) / inner;
  std::vector<int64_t> index(rank, 0);  // multi-index over all dims but the last
  int64_t ia = 0, ib = 0, io = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0; k < inner; ++k) f(io + k, ia + k * sa, ib + k * sb);
    io += inner;
    for (int64_t d = rank - 2; d >= 0; --d) {  // advance the odometer
      ia += p.stride_a[d];
      ib += p.stride_b[d];
      if (++index[d] < p.out[d]) break;
      ia -= p.stride_a[d] * p.out[d];
      ib -= p.stride_b[d] * p.out[d];
      index[d] = 0;
    }
  }
}

}  // namespace descent
