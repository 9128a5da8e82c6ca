#include "descent/optim/penalty.h"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace descent {

double add_penalty_gradient(const std::vector<Tensor>& params, double l1, double l2) {
  for (auto [name, v] : {std::pair{"l1", l1}, std::pair{"l2", l2}})
    if (!(v >= 0.0)) {  // also rejects NaN
      std::ostringstream msg;
      msg << "penalty: " << name << " must be >= 0, got " << v;
      throw std::invalid_argument(msg.str());
    }
  if (l1 == 0 && l2 == 0) return 0.0;  // nothing to add, not even to an infinite weight
  double abs_sum = 0, sq_sum = 0;
  for (const Tensor& p : params) {
    if (!p.defined() || !p.has_grad()) continue;
    Tensor param = p;  // a handle; grad_data() is non-const
    const float* w = param.data();
    float* g = param.grad_data();
    for (int64_t i = 0; i < param.numel(); ++i) {
      const double wi = w[i];
      const double sign = (wi > 0) - (wi < 0);
      abs_sum += std::fabs(wi);
      sq_sum += wi * wi;
      g[i] = static_cast<float>(static_cast<double>(g[i]) + l1 * sign + l2 * wi);
    }
  }
  return (l1 != 0 ? l1 * abs_sum : 0.0) + (l2 != 0 ? 0.5 * l2 * sq_sum : 0.0);
}

}  // namespace descent
