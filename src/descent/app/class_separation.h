#pragma once
// How well labelled points (an autoencoder's codes coloured by class) separate into their
// classes, in two numbers that do not depend on the points' scale:
//   - leave-one-out k-nearest-neighbour accuracy: each point classified by the majority label of
//     its k nearest other points (Euclidean); a tie goes to the tied class with the nearest
//     member. Chance is about 1 / classes; 1 when every class sits apart.
//   - the between-class to within-class variance ratio: sum_c n_c ||m_c - m||^2 over
//     sum_i ||x_i - m_{c_i}||^2 (m the mean of all points, m_c of class c): 0 when the class
//     means coincide, large when the classes are tight clusters far apart.
#include <cstdint>
#include <vector>

namespace descent {

// `points` holds n rows of `dims` values; `labels` n class indices >= 0. Throws
// std::invalid_argument when the sizes disagree, a label is negative, or k is not in 1..n-1.
double knn_accuracy(const std::vector<double>& points, int64_t dims, const std::vector<int>& labels,
                    int64_t k);

// Throws std::invalid_argument as knn_accuracy does (and when every point sits on its class's
// mean: the ratio has no finite value).
double between_within_ratio(const std::vector<double>& points, int64_t dims,
                            const std::vector<int>& labels);

}  // namespace descent
