#pragma once
// Tensor: a float32, contiguous, row-major array with an optional gradient and the autodiff node
// that produced it. A Tensor is a cheap shared handle (like torch.Tensor): copies alias the same
// data. Every op lives in descent/ops/ and records its backward rule on the tape.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "descent/tensor/shape.h"
#include "descent/tensor/storage.h"

namespace descent {

struct Node;
class Generator;

struct TensorImpl {
  Shape shape;
  Storage data;
  Storage grad;                   // empty until a gradient flows here
  bool requires_grad = false;     // leaves: set by the user; results: set by the op
  std::shared_ptr<Node> grad_fn;  // the op that made this tensor; null for leaves
  uint64_t visit_mark = 0;        // used by backward's graph walk
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Construction. Values are copied; shape must match the value count.
  static Tensor empty(const Shape& shape);  // uninitialized
  static Tensor zeros(const Shape& shape);
  static Tensor full(const Shape& shape, float value);
  static Tensor scalar(float value) { return full({}, value); }
  static Tensor from(const Shape& shape, std::span<const float> values);
  static Tensor from(const Shape& shape, std::initializer_list<float> values);
  static Tensor uniform(const Shape& shape, float low, float high, Generator& gen);
  static Tensor normal(const Shape& shape, float mean, float stddev, Generator& gen);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl_->shape; }
  int64_t dim() const { return static_cast<int64_t>(impl_->shape.size()); }
  int64_t size(int64_t d) const;  // negative d counts from the end
  int64_t numel() const { return descent::numel(impl_->shape); }

  float* data() { return impl_->data->data(); }
  const float* data() const { return impl_->data->data(); }
  std::span<float> values() { return {data(), static_cast<size_t>(numel())}; }
  std::span<const float> values() const { return {data(), static_cast<size_t>(numel())}; }
  std::vector<float> to_vector() const { return {data(), data() + numel()}; }
  float item() const;  // the value of a one-element tensor

  // Autodiff.
  bool requires_grad() const { return impl_->requires_grad; }
  Tensor& requires_grad_(bool on = true);
  bool has_grad() const { return impl_->grad != nullptr; }
  float* grad_data();   // allocates a zeroed gradient on first use
  Tensor grad() const;  // a tensor viewing the gradient's storage (undefined if none)
  void zero_grad();     // keeps the buffer, fills it with zeros
  void clear_grad() { impl_->grad.reset(); }
  void backward();  // from a one-element tensor: d(this)/d(leaf) accumulates into leaves' grad

  Tensor detach() const;                          // same data, no graph
  Tensor clone() const;                           // new data, no graph
  Tensor rows(int64_t begin, int64_t end) const;  // rows [begin, end) along dim 0, copied, no graph
  void copy_from(const Tensor& other);  // same numel; copies values, keeps this tensor's graph

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

}  // namespace descent
