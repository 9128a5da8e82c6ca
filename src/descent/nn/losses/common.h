#pragma once
// What the loss files share: shape and class-index checks, and the reduction's divisor. Internal
// to nn/losses/.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "descent/nn/loss.h"

namespace descent::losses {

inline void require_same_shape(const Tensor& a, const Tensor& b, const char* op) {
  if (a.shape() != b.shape())
    throw std::invalid_argument(std::string(op) + ": prediction shape " + to_string(a.shape()) +
                                " differs from target shape " + to_string(b.shape()));
}

// Checks class-index targets against [n, classes] scores and returns them as integers.
inline std::vector<int32_t> class_indices(const Tensor& scores, const Tensor& target,
                                          const char* op) {
  if (scores.dim() != 2)
    throw std::invalid_argument(std::string(op) + ": expects [batch, classes] scores, got " +
                                to_string(scores.shape()));
  if (target.dim() != 1 || target.size(0) != scores.size(0))
    throw std::invalid_argument(std::string(op) + ": expects [" + std::to_string(scores.size(0)) +
                                "] class indices, got target shape " + to_string(target.shape()));
  const int64_t classes = scores.size(1);
  std::vector<int32_t> k(static_cast<size_t>(target.numel()));
  for (int64_t i = 0; i < target.numel(); ++i) {
    const float v = target.data()[i];
    if (v != std::floor(v) || v < 0 || v >= static_cast<float>(classes))
      throw std::invalid_argument(std::string(op) + ": target " + std::to_string(v) + " at row " +
                                  std::to_string(i) + " is not a class index in [0, " +
                                  std::to_string(classes) + ")");
    k[i] = static_cast<int32_t>(v);
  }
  return k;
}

// A per-class option (weight) must have one value per class; empty means all ones.
inline std::vector<double> per_class(const std::vector<double>& values, int64_t classes,
                                     const char* op, const char* option) {
  if (values.empty()) return std::vector<double>(static_cast<size_t>(classes), 1.0);
  if (static_cast<int64_t>(values.size()) != classes)
    throw std::invalid_argument(
        std::string(op) + ": " + option + " has " + std::to_string(values.size()) +
        " values, expected one per class (" + std::to_string(classes) + ")");
  for (double w : values)
    if (!(w >= 0) || !std::isfinite(w))
      throw std::invalid_argument(std::string(op) + ": " + option + " holds " + std::to_string(w) +
                                  ", expected finite weights >= 0");
  return values;
}

// What the summed loss is divided by: the elements for Mean, 1 for Sum. BatchMean (the batch
// size) is kl_div's alone, so the others refuse it.
inline double divisor(Reduction r, int64_t elements, const char* op) {
  if (r == Reduction::BatchMean)
    throw std::invalid_argument(std::string(op) +
                                ": reduction 'batchmean' is kl_div's; use 'mean' or 'sum'");
  return r == Reduction::Sum ? 1.0 : static_cast<double>(elements);
}

}  // namespace descent::losses
