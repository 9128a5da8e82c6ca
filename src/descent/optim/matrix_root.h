#pragma once
// The dense linear algebra that Shampoo and SOAP share, on small square matrices (one side of a
// layer's weight), in double precision through LAPACK (OpenBLAS provides dsyevd, dgeqrf, dorgqr):
//   symmetric_eigen   S = V diag(w) V^T, the eigenvalues in descending order (SOAP's order)
//   inverse_root      (S + eps I)^(-1/r) = V diag((max(w, 0) + eps)^(-1/r)) V^T (Shampoo)
//   orthogonal_factor Q of A = Q R (Householder), an orthonormal basis whatever A's rank (SOAP's
//                     power iteration step)
// Matrices are row-major n x n. A symmetric matrix stored as float can have eigenvalues a rounding
// below 0 where the exact one is 0; inverse_root clamps them to 0 before adding eps, so that the
// root stays finite and real. A matrix with a non-finite entry (a diverged gradient) gives a
// result of NaNs, which the training's divergence check then reports, instead of LAPACK's error.
#include <cstdint>
#include <vector>

namespace descent {

struct SymmetricEigen {
  std::vector<double> values;   // n, descending
  std::vector<double> vectors;  // n x n row-major: column k is the eigenvector of values[k]
};

// The eigendecomposition of the symmetric n x n matrix (only its upper triangle is read).
SymmetricEigen symmetric_eigen(std::vector<double> matrix, int64_t n);

// out = (matrix + eps I)^(-1 / exponent), matrix symmetric n x n; eps > 0 keeps it finite.
void inverse_root(const float* matrix, int64_t n, double eps, double exponent, float* out);

// The orthogonal factor Q (n x n, row-major) of the QR decomposition of the n x n matrix a.
std::vector<double> orthogonal_factor(const std::vector<double>& a, int64_t n);

}  // namespace descent
