#include "descent/tensor/tensor.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "descent/util/memory.h"
#include "descent/util/parallel.h"
#include "descent/util/random.h"

namespace descent {
namespace {

// Below this a buffer is not checked against the memory left (reading it costs a file read).
constexpr double kCheckedBytes = 64.0 * 1024 * 1024;

}  // namespace

std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor Tensor::empty(const Shape& shape) {
  for (int64_t d : shape)
    if (d < 0)
      throw std::invalid_argument("tensor shape " + to_string(shape) + " has a negative size");
  // A size from a file or a configuration is refused before the allocation, saying what it needs
  // (counted in double, so a product past 2^63 cannot wrap into a small allocation).
  double bytes = sizeof(float);
  for (int64_t d : shape) bytes *= static_cast<double>(d);
  if (bytes >= kCheckedBytes)
    check_fits_in_memory(bytes, "a tensor of shape " + to_string(shape),
                         allocator_stats().cached_bytes);
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->data = allocate(static_cast<size_t>(descent::numel(shape)));
  return Tensor(std::move(impl));
}

Tensor Tensor::zeros(const Shape& shape) { return full(shape, 0.0f); }

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t = empty(shape);
  std::fill_n(t.data(), t.numel(), value);
  return t;
}

Tensor Tensor::from(const Shape& shape, std::span<const float> values) {
  if (static_cast<int64_t>(values.size()) != descent::numel(shape))
    throw std::invalid_argument("Tensor::from: shape " + to_string(shape) + " holds " +
                                std::to_string(descent::numel(shape)) + " values, got " +
                                std::to_string(values.size()));
  Tensor t = empty(shape);
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

Tensor Tensor::from(const Shape& shape, std::initializer_list<float> values) {
  return from(shape, std::span<const float>(values.begin(), values.size()));
}

Tensor Tensor::uniform(const Shape& shape, float low, float high, Generator& gen) {
  Tensor t = empty(shape);
  for (float& v : t.values()) v = static_cast<float>(low + (high - low) * gen.uniform());
  return t;
}

Tensor Tensor::normal(const Shape& shape, float mean, float stddev, Generator& gen) {
  Tensor t = empty(shape);
  for (float& v : t.values()) v = static_cast<float>(mean + stddev * gen.normal());
  return t;
}

int64_t Tensor::size(int64_t d) const {
  const int64_t n = dim();
  if (d < 0) d += n;
  if (d < 0 || d >= n)
    throw std::out_of_range("dimension " + std::to_string(d) + " out of range for shape " +
                            to_string(shape()));
  return shape()[d];
}

float Tensor::item() const {
  if (numel() != 1)
    throw std::invalid_argument("item() needs a one-element tensor, got shape " +
                                to_string(shape()));
  return data()[0];
}

Tensor& Tensor::requires_grad_(bool on) {
  impl_->requires_grad = on;
  return *this;
}

float* Tensor::grad_data() {
  if (!impl_->grad) impl_->grad = allocate_zeroed(static_cast<size_t>(numel()));
  return impl_->grad->data();
}

Tensor Tensor::grad() const {
  if (!impl_->grad) return {};
  auto g = std::make_shared<TensorImpl>();
  g->shape = impl_->shape;
  g->data = impl_->grad;
  return Tensor(std::move(g));
}

void Tensor::zero_grad() {
  if (impl_->grad) parallel_zero(impl_->grad->data(), numel());
}

Tensor Tensor::detach() const {
  auto d = std::make_shared<TensorImpl>();
  d->shape = impl_->shape;
  d->data = impl_->data;
  return Tensor(std::move(d));
}

Tensor Tensor::rows(int64_t begin, int64_t end) const {
  if (dim() == 0 || begin < 0 || begin > end || end > size(0))
    throw std::out_of_range("rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                            ") of a tensor of shape " + to_string(shape()));
  const int64_t width = numel() / std::max<int64_t>(size(0), 1);
  Shape part = shape();
  part[0] = end - begin;
  return from(part, values().subspan(static_cast<size_t>(begin * width),
                                     static_cast<size_t>((end - begin) * width)));
}

Tensor Tensor::clone() const { return from(shape(), values()); }

void Tensor::copy_from(const Tensor& other) {
  if (other.numel() != numel())
    throw std::invalid_argument("copy_from: " + to_string(other.shape()) + " into " +
                                to_string(shape()));
  std::copy_n(other.data(), numel(), data());
}

}  // namespace descent
