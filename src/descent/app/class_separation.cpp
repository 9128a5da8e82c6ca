#include "descent/app/class_separation.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace descent {
namespace {

// The number of points, after checking that the arrays agree.
size_t checked_count(const std::vector<double>& points, int64_t dims,
                     const std::vector<int>& labels, const char* what) {
  if (dims < 1 || points.size() != labels.size() * static_cast<size_t>(dims))
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(points.size()) +
                                " values are not " + std::to_string(labels.size()) + " points of " +
                                std::to_string(dims));
  for (int label : labels)
    if (label < 0)
      throw std::invalid_argument(std::string(what) + ": negative label " + std::to_string(label));
  return labels.size();
}

}  // namespace

double knn_accuracy(const std::vector<double>& points, int64_t dims, const std::vector<int>& labels,
                    int64_t k) {
  const size_t n = checked_count(points, dims, labels, "knn_accuracy");
  if (k < 1 || static_cast<size_t>(k) >= n)
    throw std::invalid_argument("knn_accuracy: k = " + std::to_string(k) + " for " +
                                std::to_string(n) + " points (expected 1 <= k < n)");
  const size_t d = static_cast<size_t>(dims), kk = static_cast<size_t>(k);
  const int classes = *std::max_element(labels.begin(), labels.end()) + 1;
  // The k nearest so far, nearest first: (squared distance, index). k is small, so inserting
  // into a sorted array beats a heap.
  std::vector<std::pair<double, size_t>> nearest;
  std::vector<int> votes(static_cast<size_t>(classes));
  size_t correct = 0;
  for (size_t i = 0; i < n; ++i) {
    nearest.clear();
    const double* xi = &points[i * d];
    for (size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      const double* xj = &points[j * d];
      double r2 = 0;
      for (size_t a = 0; a < d; ++a) r2 += (xi[a] - xj[a]) * (xi[a] - xj[a]);
      if (nearest.size() == kk && r2 >= nearest.back().first) continue;
      if (nearest.size() == kk) nearest.pop_back();
      nearest.insert(std::upper_bound(nearest.begin(), nearest.end(), std::make_pair(r2, j)),
                     {r2, j});
    }
    std::fill(votes.begin(), votes.end(), 0);
    for (const auto& [r2, j] : nearest) ++votes[static_cast<size_t>(labels[j])];
    const int most = *std::max_element(votes.begin(), votes.end());
    // Ties: the first class in distance order with the most votes, i.e. the one whose member is
    // nearest.
    int predicted = -1;
    for (const auto& [r2, j] : nearest)
      if (votes[static_cast<size_t>(labels[j])] == most) {
        predicted = labels[j];
        break;
      }
    correct += predicted == labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

double between_within_ratio(const std::vector<double>& points, int64_t dims,
                            const std::vector<int>& labels) {
  const size_t n = checked_count(points, dims, labels, "between_within_ratio");
  if (n == 0) throw std::invalid_argument("between_within_ratio: no points");
  const size_t d = static_cast<size_t>(dims);
  const size_t classes = static_cast<size_t>(*std::max_element(labels.begin(), labels.end())) + 1;
  std::vector<double> mean(d, 0.0), class_mean(classes * d, 0.0);
  std::vector<double> count(classes, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = static_cast<size_t>(labels[i]);
    count[c] += 1;
    for (size_t a = 0; a < d; ++a) {
      mean[a] += points[i * d + a];
      class_mean[c * d + a] += points[i * d + a];
    }
  }
  for (double& m : mean) m /= static_cast<double>(n);
  for (size_t c = 0; c < classes; ++c)
    for (size_t a = 0; a < d; ++a)
      if (count[c] > 0) class_mean[c * d + a] /= count[c];
  double between = 0, within = 0;
  for (size_t c = 0; c < classes; ++c)
    for (size_t a = 0; a < d; ++a) {
      const double diff = class_mean[c * d + a] - mean[a];
      between += count[c] * diff * diff;
    }
  for (size_t i = 0; i < n; ++i)
    for (size_t a = 0; a < d; ++a) {
      const double diff = points[i * d + a] - class_mean[static_cast<size_t>(labels[i]) * d + a];
      within += diff * diff;
    }
  if (within <= 0)
    throw std::invalid_argument(
        "between_within_ratio: every point sits on its class's mean (no within-class spread)");
  return between / within;
}

}  // namespace descent
