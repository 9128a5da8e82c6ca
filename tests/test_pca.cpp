// PCA for the code-plane figure (app/pca.h): Jacobi eigenvectors, component order and signs.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "descent/app/pca.h"
#include "throws_with.h"

namespace descent {
namespace test_pca {

using testutil::throws_with;

TEST(Pca, JacobiEigenvectorsSatisfyTheEigenEquation) {
  const int64_t k = 6;
  std::mt19937 rng(3);
  std::normal_distribution<double> normal;
  std::vector<double> a(k * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i; j < k; ++j) a[i * k + j] = a[j * k + i] = normal(rng);
  const SymmetricEigen e = jacobi_eigen(a, k);
  ASSERT_EQ(e.values.size(), static_cast<size_t>(k));
  for (int64_t c = 0; c < k; ++c) {
    double norm = 0;
    for (int64_t i = 0; i < k; ++i) {
      double av = 0;
      for (int64_t j = 0; j < k; ++j) av += a[i * k + j] * e.vectors[j * k + c];
      EXPECT_NEAR(av, e.values[c] * e.vectors[i * k + c], 1e-10) << "row " << i << " col " << c;
      norm += e.vectors[i * k + c] * e.vectors[i * k + c];
    }
    EXPECT_NEAR(norm, 1, 1e-12);
  }
  // The eigenvalues sum to the trace.
  double trace = 0, sum = 0;
  for (int64_t i = 0; i < k; ++i) trace += a[i * k + i], sum += e.values[i];
  EXPECT_NEAR(sum, trace, 1e-10);
}

// Points spread mostly along u = (2, 3, 6)/7, less along v = (-3, 6, -2)/7, barely along the
// third axis (each with its largest entry positive, so the sign rule keeps them as they are).
std::vector<double> stretched_points(int n) {
  std::mt19937 rng(7);
  std::normal_distribution<double> normal;
  const double u[3] = {2.0 / 7, 3.0 / 7, 6.0 / 7}, v[3] = {-3.0 / 7, 6.0 / 7, -2.0 / 7},
               w[3] = {6.0 / 7, 2.0 / 7, -3.0 / 7};
  std::vector<double> points;
  for (int i = 0; i < n; ++i) {
    const double a = 5 * normal(rng), b = 2 * normal(rng), c = 0.1 * normal(rng);
    for (int j = 0; j < 3; ++j) points.push_back(10 + a * u[j] + b * v[j] + c * w[j]);
  }
  return points;
}

TEST(Pca, FindsTheDirectionsOfLargestVarianceInOrderWithPositiveLargestEntry) {
  const std::vector<double> points = stretched_points(4000);
  const Pca pca = fit_pca(points, 3, 2);
  ASSERT_EQ(pca.components.size(), 2u);
  for (double m : pca.mean) EXPECT_NEAR(m, 10, 0.3);
  const double u[3] = {2.0 / 7, 3.0 / 7, 6.0 / 7}, v[3] = {-3.0 / 7, 6.0 / 7, -2.0 / 7};
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(pca.components[0][j], u[j], 0.02);  // sign: the largest entry is positive
    EXPECT_NEAR(pca.components[1][j], v[j], 0.02);
  }
  EXPECT_NEAR(pca.variances[0], 25, 2);
  EXPECT_NEAR(pca.variances[1], 4, 0.4);
  EXPECT_NEAR(pca.total_variance, 25 + 4 + 0.01, 2.5);
  EXPECT_GT(pca.variances[0], pca.variances[1]);

  // Projections are centred, uncorrelated, with the components' variances.
  const std::vector<double> xy = project(pca, points);
  ASSERT_EQ(xy.size(), 2u * 4000);
  double sx = 0, sy = 0, sxy = 0, sxx = 0;
  for (size_t i = 0; i < 4000; ++i) {
    sx += xy[2 * i], sy += xy[2 * i + 1];
    sxy += xy[2 * i] * xy[2 * i + 1], sxx += xy[2 * i] * xy[2 * i];
  }
  EXPECT_NEAR(sx / 4000, 0, 1e-9);
  EXPECT_NEAR(sy / 4000, 0, 1e-9);
  EXPECT_NEAR(sxy / 3999, 0, 1e-8);
  EXPECT_NEAR(sxx / 3999, pca.variances[0], 1e-8);
}

TEST(Pca, RefusesBadShapes) {
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] {
        fit_pca({1, 2, 3, 4}, 3, 1);
      },
      {"4 values", "rows of 3"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] {
        fit_pca({1, 2, 3, 4}, 2, 3);
      },
      {"3 components", "expected 1..2"}));
}

}  // namespace test_pca
}  // namespace descent
