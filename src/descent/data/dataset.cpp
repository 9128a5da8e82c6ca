#include "descent/data/dataset.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "descent/util/parallel.h"

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

int64_t Dataset::size() const {
  if (byte_inputs) return static_cast<int64_t>(byte_rows.size());
  return inputs.defined() ? inputs.size(0) : 0;
}

int64_t Dataset::features() const {
  if (byte_inputs) return byte_inputs->width;
  return inputs.numel() / std::max<int64_t>(size(), 1);
}

Dataset Dataset::subset(const std::vector<int64_t>& indices) const {
  for (int64_t i : indices)
    if (i < 0 || i >= size())
      throw std::out_of_range(name + ": example index " + std::to_string(i) + " out of range [0, " +
                              std::to_string(size()) + ")");
  Dataset out{name,          {},           gather_rows(targets, indices), num_classes, class_names,
              feature_names, target_column};
  if (byte_inputs) {
    out.byte_inputs = byte_inputs;
    out.byte_rows.reserve(indices.size());
    for (int64_t i : indices) out.byte_rows.push_back(byte_rows[static_cast<size_t>(i)]);
  } else {
    out.inputs = gather_rows(inputs, indices);
  }
  return out;
}

constexpr int64_t kPrefetchRows = 4;
constexpr int64_t kGatherGrainRows = 32;

void Dataset::gather_inputs(const int64_t* rows, int64_t count, float* out) const {
  const int64_t width = features();
  if (!byte_inputs) {
    for (int64_t r = 0; r < count; ++r)
      std::copy_n(inputs.data() + rows[r] * width, width, out + r * width);
    return;
  }
  const float scale = byte_inputs->scale;
  const uint8_t* bytes = byte_inputs->bytes.data();
  const auto row_bytes = [&](int64_t r) {
    return bytes + byte_rows[static_cast<size_t>(rows[r])] * width;
  };
  // Rows in pieces over descent's threads: a batch waits on memory (its rows are scattered over
  // the set), and two cores keep twice as many of its loads in flight.
  parallel_pieces(
      count,
      [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
          const uint8_t* in = row_bytes(r);
          // Fetch a later row's lines while this one converts: several rows' loads in flight.
          if (r + kPrefetchRows < end) {
            const uint8_t* later = row_bytes(r + kPrefetchRows);
            for (int64_t j = 0; j < width; j += 64) __builtin_prefetch(later + j);
          }
          float* o = out + r * width;
          // float(byte) * scale: the value a float copy of the whole set would hold.
          for (int64_t j = 0; j < width; ++j) o[j] = static_cast<float>(in[j]) * scale;
        }
      },
      kGatherGrainRows);
}

Tensor Dataset::input_rows(int64_t begin, int64_t end) const {
  if (begin < 0 || end > size() || begin > end)
    throw std::out_of_range(name + ": rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                            ") out of range [0, " + std::to_string(size()) + ")");
  if (!byte_inputs) return inputs.rows(begin, end);
  Tensor out = Tensor::empty({end - begin, features()});
  std::vector<int64_t> rows(static_cast<size_t>(end - begin));
  std::iota(rows.begin(), rows.end(), begin);
  gather_inputs(rows.data(), end - begin, out.data());
  return out;
}

void Dataset::set_inputs(Tensor values) {
  inputs = std::move(values);
  byte_inputs.reset();
  byte_rows.clear();
}

Tensor Dataset::dense_inputs() const { return byte_inputs ? input_rows(0, size()) : inputs; }

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
