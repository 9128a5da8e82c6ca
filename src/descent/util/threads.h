#pragma once
// One thread setting for every parallel part of descent: OpenBLAS's GEMM threads and the
// element-wise loops of util/parallel.h (OpenMP's team).

namespace descent {

void set_num_threads(int n);  // n <= 0: every core
int num_threads();

// The most threads a setting may ask for: 4 per core. More only cut the work finer while each
// takes OpenBLAS a buffer of its own; under a memory limit, many could not start at all.
int max_threads();
int core_count();  // std::thread::hardware_concurrency, at least 1

// Whether OpenBLAS computes on OpenMP's threads (its OpenMP build), which descent's own loops can
// then share; its pthread build keeps threads of its own.
bool blas_shares_threads();

}  // namespace descent
