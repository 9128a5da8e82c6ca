#include "descent/util/threads.h"

#include <cblas.h>

#include <thread>

namespace descent {

namespace {
int g_threads = 0;  // 0 until set: OpenBLAS's own default
}

void set_num_threads(int n) {
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  g_threads = n;
  openblas_set_num_threads(n);
}

int num_threads() {
  if (g_threads == 0) g_threads = openblas_get_num_threads();
  return g_threads;
}

}  // namespace descent
