// Matrix products through CBLAS (OpenBLAS). For y = a b:  g_a = g_y b^T,  g_b = a^T g_y.
// linear() fuses x W^T + bias into one GEMM whose output starts as the broadcast bias.
#include <cblas.h>

#include <chrono>
#include <stdexcept>
#include <utility>

#include "descent/autograd/record.h"
#include "descent/ops/ops.h"
#include "descent/util/parallel.h"

namespace descent {
namespace {

void require_matrix(const Tensor& t, const char* op, const char* what) {
  if (t.dim() != 2)
    throw std::invalid_argument(std::string(op) + ": " + what + " must be 2-D, got shape " +
                                to_string(t.shape()));
}

// sums[j] += sum over rows of g[r][j] (a bias's gradient), in pieces of columns on descent's
// threads: each column still adds its rows in order, so the sums are those of one thread.
void add_column_sums(const float* g, int64_t rows, int64_t cols, float* sums) {
  const int64_t grain = std::max<int64_t>(16, kParallelGrain / std::max<int64_t>(rows, 1));
  parallel_pieces(
      cols,
      [&](int64_t begin, int64_t end) {
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t j = begin; j < end; ++j) sums[j] += g[r * cols + j];
      },
      grain);
}

thread_local double* t_gemm_seconds = nullptr;  // time_gemms_into's target

}  // namespace

double* time_gemms_into(double* total) { return std::exchange(t_gemm_seconds, total); }

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
           const float* b, float beta, float* c) {
  const auto start =
      t_gemm_seconds ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0f, a, static_cast<int>(trans_a ? m : k), b,
              static_cast<int>(trans_b ? k : n), beta, c, static_cast<int>(n));
  if (t_gemm_seconds)
    *t_gemm_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  require_matrix(a, "matmul", "left operand");
  require_matrix(b, "matmul", "right operand");
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  if (b.size(0) != k)
    throw std::invalid_argument("matmul: shapes " + to_string(a.shape()) + " and " +
                                to_string(b.shape()) + " do not chain");
  Tensor y = Tensor::empty({m, n});
  sgemm(false, false, m, n, k, a.data(), b.data(), 0.0f, y.data());
  record(y, "matmul", {a, b}, [a, b, m, n, k](const float* g) {
    if (float* ga = input_grad(a)) sgemm(false, true, m, k, n, g, b.data(), 1.0f, ga);
    if (float* gb = input_grad(b)) sgemm(true, false, k, n, m, a.data(), g, 1.0f, gb);
  });
  return y;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  require_matrix(x, "linear", "input");
  require_matrix(weight, "linear", "weight");
  const int64_t batch = x.size(0), in = x.size(1), out = weight.size(0);
  if (weight.size(1) != in)
    throw std::invalid_argument("linear: input has " + std::to_string(in) +
                                " features but weight has shape " + to_string(weight.shape()));
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != out))
    throw std::invalid_argument("linear: bias must have shape [" + std::to_string(out) + "], got " +
                                to_string(bias.shape()));
  Tensor y = Tensor::empty({batch, out});
  float* yp = y.data();
  if (bias.defined()) {
    const float* b = bias.data();
    parallel_rows(batch, out, [&](int64_t r) { std::copy_n(b, out, yp + r * out); });
  }
  sgemm(false, true, batch, out, in, x.data(), weight.data(), bias.defined() ? 1.0f : 0.0f, yp);
  auto backward = [x, weight, bias, batch, in, out](const float* g) {
    // The first layer's input needs no gradient: that GEMM is skipped.
    if (float* gx = input_grad(x)) sgemm(false, false, batch, in, out, g, weight.data(), 1.0f, gx);
    if (float* gw = input_grad(weight)) sgemm(true, false, out, in, batch, g, x.data(), 1.0f, gw);
    if (bias.defined())
      if (float* gb = input_grad(bias)) add_column_sums(g, batch, out, gb);
  };
  if (bias.defined())
    record(y, "linear", {x, weight, bias}, backward);
  else
    record(y, "linear", {x, weight}, backward);
  return y;
}

}  // namespace descent
