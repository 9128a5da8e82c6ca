#pragma once
// A tensor's shape: sizes per dimension, row-major (the last dimension is contiguous).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace descent {

using Shape = std::vector<int64_t>;

inline int64_t numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string to_string(const Shape& shape);  // "[128, 784]"

}  // namespace descent
