// util/parallel.h: every element in exactly one piece, sums the same bits on one thread and on
// two, and pieces on other threads computing in the caller's floating-point mode.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "descent/optim/clip_grad.h"
#include "descent/util/float_mode.h"
#include "descent/util/parallel.h"
#include "descent/util/random.h"
#include "descent/util/sum_squares.h"
#include "threads_scope.h"

namespace descent {
namespace test_parallel {

using testutil::ThreadsScope;

TEST(Parallel, EveryElementIsInExactlyOnePiece) {
  for (const int64_t n : {int64_t{0}, int64_t{1}, kParallelGrain, 3 * kParallelGrain + 5}) {
    std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
    std::atomic<int64_t> pieces{0};
    parallel_pieces(n, [&](int64_t begin, int64_t end) {
      EXPECT_LT(begin, end);
      EXPECT_LE(end - begin, kParallelGrain);
      EXPECT_EQ(begin % kParallelGrain, 0);
      ++pieces;
      for (int64_t i = begin; i < end; ++i) ++seen[static_cast<size_t>(i)];
    });
    EXPECT_EQ(pieces.load(), (n + kParallelGrain - 1) / kParallelGrain) << n;
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(seen[static_cast<size_t>(i)].load(), 1) << i;
  }
}

TEST(Parallel, SumsAreTheSameBitsOnOneThreadAndOnTwo) {
  Generator gen(5);
  const Tensor x = Tensor::normal({5 * kParallelGrain + 123}, 0, 3, gen);
  const auto sum_of = [&] {
    return parallel_sum<double>(x.numel(), [&](int64_t begin, int64_t end) {
      return sum_squares(x.data() + begin, end - begin);
    });
  };
  double one = 0, two = 0;
  {
    const ThreadsScope threads(1);
    one = sum_of();
  }
  {
    const ThreadsScope threads(2);
    if (parallel_threads(x.numel(), kParallelGrain) < 2)
      GTEST_SKIP() << "OpenBLAS is not its OpenMP build here: loops run on one thread";
    two = sum_of();
  }
  EXPECT_EQ(std::memcmp(&one, &two, sizeof one), 0) << one << " vs " << two;
  // The pieces' sums in order, within rounding of one sum over everything.
  EXPECT_NEAR(one, sum_squares(x.data(), x.numel()), 1e-12 * one);
  // A single piece is exactly the plain sum.
  EXPECT_EQ(parallel_sum<double>(
                1000, [&](int64_t b, int64_t e) { return sum_squares(x.data() + b, e - b); }),
            sum_squares(x.data(), 1000));
}

TEST(Parallel, PiecesFlushSubnormalsAsTheCallerDoes) {
  const ThreadsScope threads(2);
  const int64_t n = 4 * kParallelGrain;
  if (parallel_threads(n, kParallelGrain) < 2)
    GTEST_SKIP() << "OpenBLAS is not its OpenMP build here: loops run on one thread";
  std::vector<float> out(static_cast<size_t>(n), 1.0f);
  volatile float tiny = std::numeric_limits<float>::min();  // the smallest normal float
  const float half = 0.5f * tiny;                           // subnormal unless flushed
  // The team's threads start before the flush (a thread started inside it would inherit it).
  parallel_pieces(n, [&](int64_t begin, int64_t end) { out[static_cast<size_t>(begin)] = 1.0f; });
  {
    const FlushDenormals flush(true);
    parallel_pieces(n, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) out[static_cast<size_t>(i)] = tiny * 0.5f;
    });
  }
  ASSERT_NE(half, 0.0f) << "this thread flushes outside the scope";
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(out[static_cast<size_t>(i)], 0.0f) << "element " << i;
}

TEST(Parallel, GradientNormAddsPiecesInOrder) {
  Generator gen(9);
  Tensor big = Tensor::normal({3 * kParallelGrain + 7}, 0, 1, gen).requires_grad_();
  Tensor small = Tensor::normal({31}, 0, 1, gen).requires_grad_();
  for (Tensor* t : {&big, &small}) {
    const Tensor g = Tensor::normal(t->shape(), 0, 1, gen);
    std::memcpy(t->grad_data(), g.data(), sizeof(float) * static_cast<size_t>(t->numel()));
  }
  double expected = 0;
  for (int64_t b = 0; b < big.numel(); b += kParallelGrain)
    expected += sum_squares(big.grad().data() + b, std::min(kParallelGrain, big.numel() - b));
  expected += sum_squares(small.grad().data(), small.numel());
  EXPECT_EQ(grad_norm({big, small}), std::sqrt(expected));
}

}  // namespace test_parallel
}  // namespace descent
