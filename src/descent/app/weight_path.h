#pragma once
// A training path in weight space (the weights of every epoch) seen in two dimensions, as Li et
// al. 2018 draw it: the principal directions of the points w_i - w_end, and each point's
// coordinates along them (the path ends at the origin). The points have hundreds of thousands of
// values but there are only a few dozen of them, so the components come from the n x n Gram
// matrix of the centred points (app/pca.h's eigen-solver) rather than the k x k covariance:
// if G = Xc Xc^T has eigenpair (lambda, u), then Xc^T u / sqrt(lambda) is a unit principal
// direction with variance lambda / (n - 1).
#include <cstdint>
#include <vector>

namespace descent {

struct PathProjection {
  std::vector<std::vector<double>> components;   // unit vectors of k values, largest variance first
  std::vector<double> explained;                 // each component's share of the total variance
  std::vector<std::vector<double>> coordinates;  // per point, its values along the components
};

// The first `count` principal directions of the n points (each k values) taken relative to
// `origin`; coordinates are of point - origin. Each component's sign is fixed so that its
// largest entry is positive. Throws std::invalid_argument for fewer than 2 points, mismatched
// sizes or count outside 1..n.
PathProjection project_path(const std::vector<std::vector<float>>& points,
                            const std::vector<float>& origin, int64_t count = 2);

}  // namespace descent
