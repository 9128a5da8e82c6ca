#pragma once
// A parameter's units, as gradient centralization and adaptive gradient clipping see them: the
// rows of its [out, ...] layout (one output unit's incoming weights, PyTorch's layout) for 2 or
// more dimensions; for fewer, each element is a unit of its own.
#include <algorithm>
#include <cstdint>

#include "descent/tensor/tensor.h"

namespace descent {

struct Units {
  int64_t count;  // rows, or elements
  int64_t size;   // elements per unit
};

inline Units units_of(const Tensor& param) {
  if (param.dim() < 2) return {param.numel(), 1};
  return {param.shape()[0], param.numel() / std::max<int64_t>(param.shape()[0], 1)};
}

}  // namespace descent
