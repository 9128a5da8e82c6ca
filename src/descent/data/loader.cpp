#include "descent/data/loader.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace descent {

DataLoader::DataLoader(const Dataset& data, int64_t batch_size, bool shuffle, bool drop_last)
    : data_(data), batch_size_(batch_size), shuffle_(shuffle), drop_last_(drop_last) {
  if (batch_size <= 0)
    throw std::invalid_argument("batch size must be positive, got " + std::to_string(batch_size));
  order_.resize(static_cast<size_t>(data.size()));
  std::iota(order_.begin(), order_.end(), 0);
}

int64_t DataLoader::num_batches() const {
  const int64_t n = data_.size();
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

void DataLoader::start_epoch(Generator& gen) {
  std::iota(order_.begin(), order_.end(), 0);
  if (shuffle_) gen.shuffle(order_);
  position_ = 0;
}

void DataLoader::skip(int64_t batches) {
  position_ = std::min(data_.size(), position_ + batches * batch_size_);
}

bool DataLoader::next_rows(const int64_t*& rows, int64_t& count) {
  count = std::min(batch_size_, data_.size() - position_);
  if (count <= 0 || (drop_last_ && count < batch_size_)) return false;
  rows = order_.data() + position_;
  position_ += count;
  return true;
}

void DataLoader::gather(const int64_t* rows, int64_t count, Batch& batch) const {
  const int64_t n = data_.size();
  // Batch tensors come from the buffer cache: after the first epoch, no allocation happens here.
  Shape shape = data_.inputs.defined() ? data_.inputs.shape() : Shape{n, data_.features()};
  shape[0] = count;
  batch.inputs = Tensor::empty(shape);
  data_.gather_inputs(rows, count, batch.inputs.data());
  const Tensor& source = data_.targets;
  Shape target_shape = source.shape();
  target_shape[0] = count;
  batch.targets = Tensor::empty(target_shape);
  const int64_t width = source.numel() / std::max<int64_t>(n, 1);
  for (int64_t r = 0; r < count; ++r)
    std::copy_n(source.data() + rows[r] * width, width, batch.targets.data() + r * width);
}

bool DataLoader::next(Batch& batch) {
  const int64_t* rows = nullptr;
  int64_t count = 0;
  if (!next_rows(rows, count)) return false;
  gather(rows, count, batch);
  return true;
}

}  // namespace descent
