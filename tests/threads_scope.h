#pragma once
// Sets descent's thread count for a test and restores the process's count after it.
#include "descent/util/threads.h"

namespace descent::testutil {

struct ThreadsScope {
  int saved = num_threads();
  explicit ThreadsScope(int n) { set_num_threads(n); }
  ~ThreadsScope() { set_num_threads(saved); }
};

}  // namespace descent::testutil
