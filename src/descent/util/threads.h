#pragma once
// One thread setting for every parallel part of descent (today: OpenBLAS's GEMM threads).

namespace descent {

void set_num_threads(int n);  // n <= 0: every core
int num_threads();

// The most threads a setting may ask for: 4 per core. More only cut the work finer while each
// takes OpenBLAS a buffer of its own; under a memory limit, many could not start at all.
int max_threads();
int core_count();  // std::thread::hardware_concurrency, at least 1

}  // namespace descent
