#include "descent/distributed/ordered_gradient_sum.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace descent {

OrderedGradientSum::OrderedGradientSum(Communicator& comm, std::vector<Tensor> params,
                                       int64_t micro_shards)
    : comm_(comm), params_(std::move(params)), parts_(micro_shards) {
  if (micro_shards < 1 || micro_shards % comm.size() != 0)
    throw std::invalid_argument("train.micro_shards = " + std::to_string(micro_shards) +
                                " must be a multiple of the number of ranks (" +
                                std::to_string(comm.size()) + ")");
  count_ = micro_shards / comm.size();
  first_ = count_ * comm.rank();
  for (const Tensor& p : params_) numel_ += p.numel();
  slots_.assign(static_cast<size_t>(count_ * numel_), 0.0f);
  all_.resize(static_cast<size_t>(parts_ * numel_));
}

void OrderedGradientSum::clear() { std::fill(slots_.begin(), slots_.end(), 0.0f); }

void OrderedGradientSum::keep(int64_t local) {
  float* slot = slots_.data() + local * numel_;
  for (Tensor& p : params_) {
    float* g = p.grad_data();
    for (int64_t i = 0; i < p.numel(); ++i) slot[i] += g[i];
    std::fill_n(g, p.numel(), 0.0f);
    slot += p.numel();
  }
}

void OrderedGradientSum::finish() {
  comm_.gather(slots_.data(), count_ * numel_, all_.data());
  int64_t offset = 0;
  for (Tensor& p : params_) {
    float* g = p.grad_data();
    const int64_t n = p.numel();
    std::fill_n(g, n, 0.0f);
    for (int64_t k = 0; k < parts_; ++k) {
      const float* part = all_.data() + k * numel_ + offset;
      for (int64_t i = 0; i < n; ++i) g[i] += part[i];
    }
    offset += n;
  }
}

}  // namespace descent
