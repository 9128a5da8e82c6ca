#pragma once
// Element-wise loops and sums split over descent's threads (util/threads.h). They run on OpenMP's
// team, the threads OpenBLAS's OpenMP build computes the GEMMs with, so a step's products and its
// element-wise work take turns on the same threads instead of competing for the cores (OpenBLAS's
// pthread build spins its own threads between products, and a second pool beside them made
// training slower). With any other BLAS build, or without OpenMP, everything runs on the calling
// thread.
//
// Work is cut into pieces of a fixed size, whatever the number of threads, and a sum adds the
// pieces' results in order: the same bits on one thread or many. Each piece runs with the calling
// thread's floating-point mode (util/float_mode.h), so a worker flushes subnormals as it would.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace descent {

// Elements per piece of an element-wise loop: large enough that a piece costs far more than
// handing it to a thread (about a microsecond), small enough to split a 200,000-weight layer.
constexpr int64_t kParallelGrain = 16384;

// Threads for a loop of n elements in pieces of grain: 1 where it is one piece, the BLAS build
// cannot share its threads, or descent runs on one thread.
int parallel_threads(int64_t n, int64_t grain);

namespace detail {
// Calls piece(context, k) for k in [0, pieces) on `threads` threads, each in the calling thread's
// floating-point mode. Compiled once, with OpenMP, in parallel.cpp: a program that includes this
// header needs no OpenMP flags of its own.
void run_pieces(int64_t pieces, int threads, void (*piece)(void*, int64_t), void* context);
}  // namespace detail

// Calls f(begin, end) once for each piece [begin, end) of [0, n): grain elements, the last fewer.
template <class F>
void parallel_pieces(int64_t n, F&& f, int64_t grain = kParallelGrain) {
  const int64_t pieces = (n + grain - 1) / grain;
  auto piece = [&](int64_t k) { f(k * grain, std::min(n, (k + 1) * grain)); };
  const int threads = parallel_threads(n, grain);
  if (threads <= 1) {
    for (int64_t k = 0; k < pieces; ++k) piece(k);
    return;
  }
  detail::run_pieces(
      pieces, threads,
      [](void* context, int64_t k) { (*static_cast<decltype(piece)*>(context))(k); }, &piece);
}

// p[0..n) = 0, in pieces on descent's threads (gradients are zeroed every step).
inline void parallel_zero(float* p, int64_t n) {
  parallel_pieces(n, [p](int64_t begin, int64_t end) { std::fill(p + begin, p + end, 0.0f); });
}

// Calls f(r) for each row r of a rows x cols matrix, in pieces of whole rows (about kParallelGrain
// elements each): for loops over a batch's rows.
template <class F>
void parallel_rows(int64_t rows, int64_t cols, F&& f) {
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(cols, 1));
  parallel_pieces(
      rows,
      [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) f(r);
      },
      grain);
}

// The sum, in piece order, of f(begin, end) over the pieces of [0, n) (T has += and starts at
// T{}). One piece: exactly f(0, n).
template <class T, class F>
T parallel_sum(int64_t n, F&& f, int64_t grain = kParallelGrain) {
  const int64_t pieces = (n + grain - 1) / grain;
  if (pieces <= 1) return n > 0 ? f(int64_t{0}, n) : T{};
  T total{};
  if (parallel_threads(n, grain) <= 1) {  // in order as they come: no store for the parts
    for (int64_t k = 0; k < pieces; ++k) total += f(k * grain, std::min(n, (k + 1) * grain));
    return total;
  }
  std::vector<T> parts(static_cast<size_t>(pieces));
  parallel_pieces(
      n,
      [&](int64_t begin, int64_t end) {
        parts[static_cast<size_t>(begin / grain)] = f(begin, end);
      },
      grain);
  for (const T& part : parts) total += part;
  return total;
}

}  // namespace descent
