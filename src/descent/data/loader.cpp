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

bool DataLoader::next(Batch& batch) {
  const int64_t n = data_.size();
  const int64_t count = std::min(batch_size_, n - position_);
  if (count <= 0 || (drop_last_ && count < batch_size_)) return false;
  // Batch tensors come from the buffer cache: after the first epoch, no allocation happens here.
  auto gather = [&](const Tensor& source) {
    Shape shape = source.shape();
    shape[0] = count;
    Tensor out = Tensor::empty(shape);
    const int64_t width = source.numel() / std::max<int64_t>(n, 1);
    for (int64_t r = 0; r < count; ++r)
      std::copy_n(source.data() + order_[position_ + r] * width, width, out.data() + r * width);
    return out;
  };
  Shape shape = data_.inputs.defined() ? data_.inputs.shape() : Shape{n, data_.features()};
  shape[0] = count;
  batch.inputs = Tensor::empty(shape);
  data_.gather_inputs(order_.data() + position_, count, batch.inputs.data());
  batch.targets = gather(data_.targets);
  position_ += count;
  return true;
}

}  // namespace descent
