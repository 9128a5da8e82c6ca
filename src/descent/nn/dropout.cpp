#include "descent/nn/dropout.h"

#include <sstream>
#include <stdexcept>

#include "descent/ops/ops.h"

namespace descent {

namespace {

std::string format_p(double p) {
  std::ostringstream s;
  s << p;  // shortest of 6 significant digits: "0.5", "0.125"
  return s.str();
}

}  // namespace

Dropout::Dropout(double p, uint64_t seed) : p_(p), gen_(seed) {
  if (!(p >= 0.0 && p <= 1.0))  // also rejects NaN
    throw std::invalid_argument("dropout: p must be in [0, 1], got " + format_p(p));
}

Tensor Dropout::forward(const Tensor& x) {
  if (!training() || p_ == 0.0) return x;
  // The mask is a constant (no gradient of its own): mul's backward sends grad * mask to x.
  Tensor mask = Tensor::empty(x.shape());
  // As PyTorch: the survivors' scale is 1 / (1 - p) taken in float. p = 1 drops everything.
  const float keep = p_ < 1.0 ? 1.0f / static_cast<float>(1.0 - p_) : 0.0f;
  float* m = mask.data();
  const int64_t rows = x.dim() > 0 ? x.size(0) : 1;
  draws_.draw(
      gen_, rows, x.numel() / std::max<int64_t>(rows, 1), [](Generator& g) { return g.uniform(); },
      [&](int64_t i, double u) { m[i] = u < p_ ? 0.0f : keep; });
  return mul(x, mask);
}

std::string Dropout::describe() const { return "Dropout(p=" + format_p(p_) + ")"; }

}  // namespace descent
