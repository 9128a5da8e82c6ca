#include "descent/app/pca.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace descent {

SymmetricEigen jacobi_eigen(std::vector<double> a, int64_t k) {
  const auto at = [k](std::vector<double>& m, int64_t i, int64_t j) -> double& {
    return m[static_cast<size_t>(i * k + j)];
  };
  std::vector<double> v(static_cast<size_t>(k * k), 0.0);
  for (int64_t i = 0; i < k; ++i) at(v, i, i) = 1;
  // Each rotation zeroes one off-diagonal pair; sweeps repeat until what is left off the diagonal
  // is negligible beside the diagonal (quadratic convergence: a handful of sweeps).
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, diag = 0;
    for (int64_t i = 0; i < k; ++i) {
      diag += at(a, i, i) * at(a, i, i);
      for (int64_t j = i + 1; j < k; ++j) off += at(a, i, j) * at(a, i, j);
    }
    if (off <= 1e-30 * std::max(diag, 1e-300)) break;
    for (int64_t p = 0; p < k; ++p)
      for (int64_t q = p + 1; q < k; ++q) {
        const double apq = at(a, p, q);
        if (apq == 0) continue;
        // The angle that zeroes a[p][q]: t = tan(theta), the smaller root for stability.
        const double tau = (at(a, q, q) - at(a, p, p)) / (2 * apq);
        const double t = (tau >= 0 ? 1.0 : -1.0) / (std::fabs(tau) + std::sqrt(1 + tau * tau));
        const double c = 1 / std::sqrt(1 + t * t), s = t * c;
        for (int64_t r = 0; r < k; ++r) {  // columns p and q: A <- A J
          const double arp = at(a, r, p), arq = at(a, r, q);
          at(a, r, p) = c * arp - s * arq;
          at(a, r, q) = s * arp + c * arq;
        }
        for (int64_t r = 0; r < k; ++r) {  // rows p and q: A <- J^T A
          const double apr = at(a, p, r), aqr = at(a, q, r);
          at(a, p, r) = c * apr - s * aqr;
          at(a, q, r) = s * apr + c * aqr;
        }
        for (int64_t r = 0; r < k; ++r) {  // V <- V J
          const double vrp = at(v, r, p), vrq = at(v, r, q);
          at(v, r, p) = c * vrp - s * vrq;
          at(v, r, q) = s * vrp + c * vrq;
        }
      }
  }
  SymmetricEigen out;
  for (int64_t i = 0; i < k; ++i) out.values.push_back(at(a, i, i));
  out.vectors = std::move(v);
  return out;
}

Pca fit_pca(const std::vector<double>& points, int64_t k, int64_t count) {
  if (k <= 0 || points.size() % static_cast<size_t>(k) != 0)
    throw std::invalid_argument("fit_pca: " + std::to_string(points.size()) +
                                " values are not rows of " + std::to_string(k));
  if (count < 1 || count > k)
    throw std::invalid_argument("fit_pca: " + std::to_string(count) + " components of " +
                                std::to_string(k) + "-dimensional points (expected 1.." +
                                std::to_string(k) + ")");
  const size_t n = points.size() / static_cast<size_t>(k), dims = static_cast<size_t>(k);
  Pca pca;
  pca.mean.assign(dims, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < dims; ++j) pca.mean[j] += points[i * dims + j];
  for (double& m : pca.mean) m /= static_cast<double>(std::max<size_t>(n, 1));
  std::vector<double> cov(dims * dims, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t a = 0; a < dims; ++a) {
      const double da = points[i * dims + a] - pca.mean[a];
      for (size_t b = a; b < dims; ++b)
        cov[a * dims + b] += da * (points[i * dims + b] - pca.mean[b]);
    }
  const double denominator = static_cast<double>(std::max<size_t>(n, 2) - 1);
  for (size_t a = 0; a < dims; ++a)
    for (size_t b = a; b < dims; ++b) cov[b * dims + a] = cov[a * dims + b] /= denominator;
  for (size_t a = 0; a < dims; ++a) pca.total_variance += cov[a * dims + a];

  const SymmetricEigen eigen = jacobi_eigen(std::move(cov), k);
  std::vector<size_t> order(dims);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return eigen.values[x] > eigen.values[y]; });
  for (size_t c = 0; c < static_cast<size_t>(count); ++c) {
    std::vector<double> axis(dims);
    size_t largest = 0;
    for (size_t j = 0; j < dims; ++j) {
      axis[j] = eigen.vectors[j * dims + order[c]];
      if (std::fabs(axis[j]) > std::fabs(axis[largest])) largest = j;
    }
    if (axis[largest] < 0)
      for (double& x : axis) x = -x;
    pca.components.push_back(std::move(axis));
    pca.variances.push_back(std::max(eigen.values[order[c]], 0.0));
  }
  return pca;
}

std::vector<double> project(const Pca& pca, const std::vector<double>& points) {
  const size_t dims = pca.mean.size();
  const size_t n = dims ? points.size() / dims : 0;
  std::vector<double> out;
  out.reserve(n * pca.components.size());
  for (size_t i = 0; i < n; ++i)
    for (const auto& axis : pca.components) {
      double dot = 0;
      for (size_t j = 0; j < dims; ++j) dot += (points[i * dims + j] - pca.mean[j]) * axis[j];
      out.push_back(dot);
    }
  return out;
}

}  // namespace descent
