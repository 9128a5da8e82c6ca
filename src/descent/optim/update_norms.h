#pragma once
// How far one step moved a parameter, for the trainer's update ratio |p_after - p_before| /
// |p_before|: the two squared norms, summed in double. Optimizer::step() measures them while it
// updates, so the trainer needs no copy of the weights and no extra passes over them; Adam's loop
// measures them inside its own pass (measure_each).
#include <algorithm>
#include <cstdint>

#include "descent/util/sum_squares.h"

namespace descent {

struct UpdateNorms {
  double before = 0;  // sum of p_before^2
  double change = 0;  // sum of (p_after - p_before)^2
  UpdateNorms& operator+=(const UpdateNorms& other) {
    before += other.before;
    change += other.change;
    return *this;
  }
};

// Partial sums lane by lane, as sum_squares and sum_squared_difference keep them, so a fused
// measurement equals the one separate passes over a copy would give, bit for bit.
class UpdateNormLanes {
 public:
  void add(int lane, float before, float after) {
    const double b = before;
    const double d = static_cast<double>(after) - before;
    before_[lane] += b * b;
    change_[lane] += d * d;
  }
  // add(j % kSumLanes, before[j], after[j]) for j in [0, n): lanes as an array that starts at a
  // multiple of kSumLanes gives them.
  void add_block(const float* before, const float* after, int64_t n) {
    int64_t j = 0;
    for (; j + kSumLanes <= n; j += kSumLanes)
      for (int k = 0; k < kSumLanes; ++k) add(k, before[j + k], after[j + k]);
    for (int k = 0; j < n; ++j, ++k) add(k, before[j], after[j]);
  }
  UpdateNorms total() const;

 private:
  double before_[kSumLanes] = {};
  double change_[kSumLanes] = {};
};

// Runs update(i) for i in [0, n), each moving p[i], and returns how far they moved p. Block by
// block: a copy of the block, the update loop as it is (so it vectorizes as it does unmeasured),
// then the block's sums; a block is still in L1 when they are taken.
template <class Update>
UpdateNorms measure_each(float* p, int64_t n, Update&& update) {
  constexpr int64_t kBlock = 32 * kSumLanes;
  float before[kBlock];
  UpdateNormLanes lanes;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t len = std::min(kBlock, n - start);
    std::copy_n(p + start, len, before);
    for (int64_t i = start; i < start + len; ++i) update(i);
    lanes.add_block(before, p + start, len);
  }
  return lanes.total();
}

}  // namespace descent
