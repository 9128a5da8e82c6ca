// The reductions' names and one_hot (nn/loss.h); the checks the loss files share are common.h's.
#include <cmath>
#include <stdexcept>
#include <string>

#include "descent/nn/loss.h"

namespace descent {

const char* reduction_name(Reduction r) {
  switch (r) {
    case Reduction::Mean:
      return "mean";
    case Reduction::Sum:
      return "sum";
    case Reduction::BatchMean:
      return "batchmean";
  }
  return "?";
}

Tensor one_hot(const Tensor& indices, int64_t classes) {
  Tensor out = Tensor::zeros({indices.numel(), classes});
  for (int64_t i = 0; i < indices.numel(); ++i) {
    const float v = indices.data()[i];
    if (v != std::floor(v) || v < 0 || v >= static_cast<float>(classes))
      throw std::invalid_argument("one_hot: " + std::to_string(v) + " at row " + std::to_string(i) +
                                  " is not a class index in [0, " + std::to_string(classes) + ")");
    out.data()[i * classes + static_cast<int64_t>(v)] = 1.0f;
  }
  return out;
}

}  // namespace descent
