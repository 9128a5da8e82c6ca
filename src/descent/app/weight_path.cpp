#include "descent/app/weight_path.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "descent/app/pca.h"

namespace descent {

PathProjection project_path(const std::vector<std::vector<float>>& points,
                            const std::vector<float>& origin, int64_t count) {
  const size_t n = points.size(), k = origin.size();
  if (n < 2) throw std::invalid_argument("path: at least 2 points are needed for its directions");
  if (count < 1 || static_cast<size_t>(count) > n)
    throw std::invalid_argument("path: " + std::to_string(count) + " directions of " +
                                std::to_string(n) + " points");
  for (const auto& p : points)
    if (p.size() != k)
      throw std::invalid_argument("path: a point of " + std::to_string(p.size()) +
                                  " values against an origin of " + std::to_string(k));
  // The points relative to the origin, and their mean.
  std::vector<std::vector<double>> x(n, std::vector<double>(k));
  std::vector<double> mean(k, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < k; ++j) {
      x[i][j] = static_cast<double>(points[i][j]) - origin[j];
      mean[j] += x[i][j] / static_cast<double>(n);
    }
  std::vector<std::vector<double>> c = x;
  for (auto& row : c)
    for (size_t j = 0; j < k; ++j) row[j] -= mean[j];
  std::vector<double> gram(n * n);
  for (size_t a = 0; a < n; ++a)
    for (size_t b = a; b < n; ++b)
      gram[a * n + b] = gram[b * n + a] =
          std::inner_product(c[a].begin(), c[a].end(), c[b].begin(), 0.0);
  double trace = 0;
  for (size_t a = 0; a < n; ++a) trace += gram[a * n + a];
  const SymmetricEigen eig = jacobi_eigen(gram, static_cast<int64_t>(n));
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return eig.values[a] > eig.values[b]; });

  PathProjection out;
  for (int64_t m = 0; m < count; ++m) {
    const size_t e = order[static_cast<size_t>(m)];
    const double lambda = std::max(eig.values[e], 0.0);
    std::vector<double> v(k, 0.0);
    for (size_t i = 0; i < n; ++i) {
      const double u = eig.vectors[i * n + e];
      for (size_t j = 0; j < k; ++j) v[j] += u * c[i][j];
    }
    const double norm = std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
    // A direction of no variance (fewer distinct points than directions) stays zero.
    for (double& value : v) value = norm > 0 ? value / norm : 0;
    const auto largest = std::max_element(
        v.begin(), v.end(), [](double a, double b) { return std::fabs(a) < std::fabs(b); });
    if (largest != v.end() && *largest < 0)
      for (double& value : v) value = -value;
    out.components.push_back(std::move(v));
    out.explained.push_back(trace > 0 ? lambda / trace : 0);
  }
  for (const auto& row : x) {
    std::vector<double> coords;
    for (const auto& v : out.components)
      coords.push_back(std::inner_product(row.begin(), row.end(), v.begin(), 0.0));
    out.coordinates.push_back(std::move(coords));
  }
  return out;
}

}  // namespace descent
