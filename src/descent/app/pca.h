#pragma once
// Principal component analysis of a few thousand points in a few dimensions (the codes of an
// autoencoder, for the code-plane figure): the eigenvectors of the k x k covariance by cyclic
// Jacobi rotations, largest variance first.
#include <cstdint>
#include <vector>

namespace descent {

struct Pca {
  std::vector<double> mean;  // k values
  std::vector<std::vector<double>>
      components;                 // unit vectors of k values, by variance, largest first
  std::vector<double> variances;  // the variance along each component
  double total_variance = 0;      // the covariance's trace
};

// The first `count` principal components of n points of k values (`points` row by row, n * k
// values). Each component's sign is fixed so that its largest entry is positive (the same data
// gives the same picture). Throws std::invalid_argument for count > k or mismatched sizes.
Pca fit_pca(const std::vector<double>& points, int64_t k, int64_t count);

// The points' coordinates along the components: n rows of pca.components.size() values.
std::vector<double> project(const Pca& pca, const std::vector<double>& points);

// Eigenvalues and unit eigenvectors (column j of `vectors`, row-major k x k) of a symmetric k x k
// matrix, in no particular order.
struct SymmetricEigen {
  std::vector<double> values, vectors;
};
SymmetricEigen jacobi_eigen(std::vector<double> matrix, int64_t k);

}  // namespace descent
