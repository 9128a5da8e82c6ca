#include "descent/optim/matrix_root.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

// LAPACK as OpenBLAS exports it (Fortran calling convention: every argument by pointer, and a
// hidden length after the arguments for each character argument).
extern "C" {
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
             double* work, const int* lwork, int* iwork, const int* liwork, int* info,
             size_t jobz_len, size_t uplo_len);
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
             const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau,
             double* work, const int* lwork, int* info);
}

namespace descent {
namespace {

bool all_finite(const std::vector<double>& values) {
  for (double v : values)
    if (!std::isfinite(v)) return false;
  return true;
}

void check_info(int info, const char* routine) {
  if (info != 0)
    throw std::runtime_error(std::string(routine) + " failed (info " + std::to_string(info) + ")");
}

}  // namespace

SymmetricEigen symmetric_eigen(std::vector<double> matrix, int64_t n) {
  const auto size = static_cast<size_t>(n);
  SymmetricEigen out;
  out.values.assign(size, std::numeric_limits<double>::quiet_NaN());
  out.vectors.assign(size * size, std::numeric_limits<double>::quiet_NaN());
  if (n == 0 || !all_finite(matrix)) return out;
  // Row-major upper triangle = column-major lower triangle: LAPACK reads "L".
  const int N = static_cast<int>(n);
  const char jobz = 'V', uplo = 'L';
  std::vector<double> w(size);
  int info = 0, lwork = -1, liwork = -1, iwork_size = 0;
  double work_size = 0;
  dsyevd_(&jobz, &uplo, &N, matrix.data(), &N, w.data(), &work_size, &lwork, &iwork_size, &liwork,
          &info, 1, 1);
  check_info(info, "dsyevd (workspace query)");
  lwork = static_cast<int>(work_size);
  liwork = iwork_size;
  std::vector<double> work(static_cast<size_t>(std::max(lwork, 1)));
  std::vector<int> iwork(static_cast<size_t>(std::max(liwork, 1)));
  dsyevd_(&jobz, &uplo, &N, matrix.data(), &N, w.data(), work.data(), &lwork, iwork.data(), &liwork,
          &info, 1, 1);
  check_info(info, "dsyevd");
  // LAPACK: ascending values, eigenvector k in column-major column k (matrix[k n + i]).
  for (size_t k = 0; k < size; ++k) {
    const size_t from = size - 1 - k;
    out.values[k] = w[from];
    for (size_t i = 0; i < size; ++i) out.vectors[i * size + k] = matrix[from * size + i];
  }
  return out;
}

void inverse_root(const float* matrix, int64_t n, double eps, double exponent, float* out) {
  if (n == 0) return;
  const auto size = static_cast<size_t>(n);
  const SymmetricEigen e = symmetric_eigen(std::vector<double>(matrix, matrix + size * size), n);
  // V diag(s) V^T with s = (max(w, 0) + eps)^(-1/r): the columns of V scaled, times V^T.
  std::vector<double> scaled = e.vectors, root(size * size);
  for (size_t k = 0; k < size; ++k) {
    const double s = std::pow(std::max(e.values[k], 0.0) + eps, -1.0 / exponent);
    for (size_t i = 0; i < size; ++i) scaled[i * size + k] *= s;
  }
  const int N = static_cast<int>(n);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, N, N, 1.0, scaled.data(), N,
              e.vectors.data(), N, 0.0, root.data(), N);
  for (size_t i = 0; i < size * size; ++i) out[i] = static_cast<float>(root[i]);
}

std::vector<double> orthogonal_factor(const std::vector<double>& a, int64_t n) {
  const auto size = static_cast<size_t>(n);
  std::vector<double> q(size * size, std::numeric_limits<double>::quiet_NaN());
  if (n == 0 || !all_finite(a)) return q;
  // Column-major copy of a.
  std::vector<double> work_matrix(size * size);
  for (size_t i = 0; i < size; ++i)
    for (size_t j = 0; j < size; ++j) work_matrix[j * size + i] = a[i * size + j];
  const int N = static_cast<int>(n);
  std::vector<double> tau(size);
  int info = 0, query = -1;
  double qr_size = 0, q_size = 0;
  dgeqrf_(&N, &N, work_matrix.data(), &N, tau.data(), &qr_size, &query, &info);
  check_info(info, "dgeqrf (workspace query)");
  dorgqr_(&N, &N, &N, work_matrix.data(), &N, tau.data(), &q_size, &query, &info);
  check_info(info, "dorgqr (workspace query)");
  const int lwork = std::max({static_cast<int>(qr_size), static_cast<int>(q_size), 1});
  std::vector<double> work(static_cast<size_t>(lwork));
  dgeqrf_(&N, &N, work_matrix.data(), &N, tau.data(), work.data(), &lwork, &info);
  check_info(info, "dgeqrf");
  dorgqr_(&N, &N, &N, work_matrix.data(), &N, tau.data(), work.data(), &lwork, &info);
  check_info(info, "dorgqr");
  for (size_t i = 0; i < size; ++i)
    for (size_t j = 0; j < size; ++j) q[i * size + j] = work_matrix[j * size + i];
  return q;
}

}  // namespace descent
