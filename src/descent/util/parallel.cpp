#include "descent/util/parallel.h"

#include "descent/util/float_mode.h"
#include "descent/util/threads.h"

namespace descent {

int parallel_threads(int64_t n, int64_t grain) {
  if (n < 2 * grain || !blas_shares_threads()) return 1;
  return num_threads();
}

namespace detail {

void run_pieces(int64_t pieces, int threads, void (*piece)(void*, int64_t), void* context) {
  const unsigned mode = float_mode();
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t k = 0; k < pieces; ++k) {
    const FloatModeScope same(mode);
    piece(context, k);
  }
}

}  // namespace detail

}  // namespace descent
