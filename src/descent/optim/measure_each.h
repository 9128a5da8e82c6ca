#pragma once
// An element-wise update loop that also measures how far it moves the parameter
// (optim/update_norms.h), in the same pass. Compiled with -fopenmp-simd (the library's option).
// update_each() is what an optimizer's update() calls: the loop on descent's threads, measured
// when the trainer asks (measured_update() is not null).
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "descent/optim/update_norms.h"
#include "descent/util/parallel.h"

namespace descent {

// Runs update(i) for i in [0, n), each moving p[i] alone, and returns how far they moved p. The
// update loop is the same loop that runs unmeasured with the sums added to it, block by block:
// float sums over a block of 512 elements (vectorized: the simd reduction lets them be taken lane
// by lane), added in double across blocks. They differ from separate double passes over a copy
// only by rounding (about 1e-6 of the sum), and they are the same on every run of one build.
// update is taken by value: a copy of its own, which no store through p can change, so the loop
// vectorizes even where this is not inlined.
template <class Update>
UpdateNorms measure_each(float* p, int64_t n, Update update) {
  constexpr int64_t kBlock = 512;
  UpdateNorms norms;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    float before_sq = 0, change_sq = 0;
#pragma omp simd reduction(+ : before_sq, change_sq)
    for (int64_t i = start; i < end; ++i) {
      const float before = p[i];
      update(i);
      const float change = p[i] - before;
      before_sq += before * before;
      change_sq += change * change;
    }
    norms.before += before_sq;
    norms.change += change_sq;
  }
  return norms;
}

// Runs update(i) for every i in [0, n) in pieces on descent's threads (util/parallel.h); with
// norms, also measures how far the loop moves p (added in piece order: the same on any number of
// threads). update(i) must touch element i of its arrays only. Pass the update by value, with
// copies of its scalars, so that the compiler knows no store through p changes them and
// vectorizes the loop.
template <class Update>
void update_each(float* p, int64_t n, UpdateNorms* norms, Update update) {
  if (norms)
    *norms = parallel_sum<UpdateNorms>(n, [&](int64_t begin, int64_t end) {
      return measure_each(p + begin, end - begin, [=](int64_t i) { update(begin + i); });
    });
  else
    parallel_pieces(n, [&](int64_t begin, int64_t end) {
      // A copy of its own, as measure_each's: reached through a reference, the update's scalars
      // could change with any store through p, and the loop stays scalar (up to 5x slower). The
      // simd pragma states what update(i) promises (element i alone), which the compiler cannot
      // check across six arrays (Adan's loop stayed scalar without it).
      const Update local = update;
#pragma omp simd
      for (int64_t i = begin; i < end; ++i) local(i);
    });
}

// Two sums taken over a loop (sum_each).
struct TwoSums {
  double first = 0, second = 0;
  TwoSums& operator+=(const TwoSums& o) {
    first += o.first;
    second += o.second;
    return *this;
  }
};

// Calls element(i, first, second) for every i in [0, n): it moves element i of its arrays and adds
// its terms to the two sums (a norm's square and another's, D-adaptation's numerator and
// denominator). In pieces on descent's threads, each piece's sums taken lane by lane (vectorized)
// and the pieces added in order: the same bits on any number of threads. As with update_each,
// element must touch element i of its arrays only and is taken by value.
template <class Element>
TwoSums sum_each(int64_t n, Element element) {
  return parallel_sum<TwoSums>(n, [&](int64_t begin, int64_t end) {
    const Element local = element;
    double first = 0, second = 0;
#pragma omp simd reduction(+ : first, second)
    for (int64_t i = begin; i < end; ++i) local(i, first, second);
    return TwoSums{first, second};
  });
}

// Calls f(std::true_type{}) or f(std::false_type{}) as flag says: a flag the update tests becomes a
// constant (decltype(k)::value), so each value has its own branch-free loop. A test of a
// run-time flag inside update_each's loop can keep it scalar, several times slower.
template <class F>
void with_flag(bool flag, F&& f) {
  if (flag)
    f(std::true_type{});
  else
    f(std::false_type{});
}

}  // namespace descent
