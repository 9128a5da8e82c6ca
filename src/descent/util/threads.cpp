#include "descent/util/threads.h"

#include <cblas.h>

#include <algorithm>
#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace descent {

// Set once per process: toggling OpenBLAS's count between calls left every later threaded GEMM
// about 40% slower (measured on the default MLP; docs/benchmarks.md).
void set_num_threads(int n) {
  if (n <= 0) n = core_count();
  openblas_set_num_threads(n);
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
}

int num_threads() { return openblas_get_num_threads(); }

int core_count() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

int max_threads() { return 4 * core_count(); }

bool blas_shares_threads() {
#ifdef _OPENMP
  static const bool shares = openblas_get_parallel() == 2;  // 0 serial, 1 pthreads, 2 OpenMP
  return shares;
#else
  return false;
#endif
}

}  // namespace descent
