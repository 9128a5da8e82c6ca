#pragma once
// One thread setting for every parallel part of descent (today: OpenBLAS's GEMM threads).

namespace descent {

void set_num_threads(int n);  // n <= 0: every core
int num_threads();

}  // namespace descent
