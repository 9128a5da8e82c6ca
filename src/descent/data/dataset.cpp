#include "descent/data/dataset.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace descent {
namespace {

Tensor gather_rows(const Tensor& t, const std::vector<int64_t>& rows) {
  Shape shape = t.shape();
  shape[0] = static_cast<int64_t>(rows.size());
  Tensor out = Tensor::empty(shape);
  const int64_t width = t.numel() / std::max<int64_t>(t.size(0), 1);
  for (size_t r = 0; r < rows.size(); ++r)
    std::copy_n(t.data() + rows[r] * width, width, out.data() + static_cast<int64_t>(r) * width);
  return out;
}

}  // namespace

Dataset Dataset::subset(const std::vector<int64_t>& indices) const {
  for (int64_t i : indices)
    if (i < 0 || i >= size())
      throw std::out_of_range(name + ": example index " + std::to_string(i) + " out of range [0, " +
                              std::to_string(size()) + ")");
  return {name,
          gather_rows(inputs, indices),
          gather_rows(targets, indices),
          num_classes,
          class_names,
          feature_names,
          target_column};
}

TrainValidationSplit hold_out(const Dataset& data, int64_t validation_size, Generator& gen) {
  if (validation_size < 0 || validation_size >= data.size())
    throw std::invalid_argument(data.name + ": cannot hold out " + std::to_string(validation_size) +
                                " of " + std::to_string(data.size()) +
                                " examples for validation (need 0 <= n < size)");
  std::vector<int64_t> order(static_cast<size_t>(data.size()));
  std::iota(order.begin(), order.end(), 0);
  gen.shuffle(order);
  std::vector<int64_t> val(order.begin(), order.begin() + validation_size);
  std::vector<int64_t> train(order.begin() + validation_size, order.end());
  std::sort(val.begin(), val.end());
  std::sort(train.begin(), train.end());
  return {data.subset(train), data.subset(val)};
}

}  // namespace descent
