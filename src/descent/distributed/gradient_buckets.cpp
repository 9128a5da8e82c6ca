#include "descent/distributed/gradient_buckets.h"

#include <algorithm>
#include <chrono>

namespace descent {

GradientBuckets::GradientBuckets(Communicator& comm, std::vector<Tensor> params,
                                 int64_t bucket_bytes, bool overlap)
    : comm_(comm), params_(std::move(params)), overlap_(overlap) {
  const int64_t capacity = std::max<int64_t>(bucket_bytes / 4, 1);
  int64_t filled = capacity;
  for (size_t i = params_.size(); i-- > 0;) {
    if (filled >= capacity) {
      buckets_.emplace_back();
      filled = 0;
    }
    buckets_.back().params.push_back(i);
    filled += params_[i].numel();
    bucket_of_[params_[i].impl()] = buckets_.size() - 1;
  }
  for (Bucket& b : buckets_) {
    int64_t n = 0;
    for (size_t i : b.params) n += params_[i].numel();
    b.flat.resize(static_cast<size_t>(n));
  }
}

void GradientBuckets::start(Bucket& b) {
  float* out = b.flat.data();
  for (size_t i : b.params) {
    Tensor& p = params_[i];
    out = std::copy_n(p.grad_data(), p.numel(), out);
  }
  comm_.start_sum(b.flat.data(), static_cast<int64_t>(b.flat.size()));
  b.started = true;
}

std::optional<GradientReadyScope> GradientBuckets::watch_backward() {
  if (!overlap_ || comm_.size() == 1) return std::nullopt;
  for (Bucket& b : buckets_) b.ready = 0;
  return std::optional<GradientReadyScope>(std::in_place, [this](const TensorImpl* leaf) {
    const auto it = bucket_of_.find(leaf);
    if (it == bucket_of_.end()) return;  // not one of the trained parameters
    Bucket& b = buckets_[it->second];
    if (++b.ready == b.params.size() && !b.started) start(b);
    comm_.progress();
  });
}

void GradientBuckets::finish() {
  if (comm_.size() == 1) return;
  for (Bucket& b : buckets_)
    if (!b.started) start(b);
  const auto begin = std::chrono::steady_clock::now();
  comm_.finish_sums();
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  for (Bucket& b : buckets_) {
    const float* in = b.flat.data();
    for (size_t i : b.params) {
      Tensor& p = params_[i];
      std::copy_n(in, p.numel(), p.grad_data());
      in += p.numel();
    }
    b.started = false;
  }
}

}  // namespace descent
