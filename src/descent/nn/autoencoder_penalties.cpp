#include "descent/nn/autoencoder_penalties.h"

#include <stdexcept>

#include "descent/ops/ops.h"

namespace descent {
namespace {
float batch_size(const Tensor& t) { return static_cast<float>(t.size(0)); }
}  // namespace

Tensor gaussian_kl(const Tensor& mu, const Tensor& logvar) {
  const Tensor per_unit = 1.0f + logvar - mu * mu - exp(logvar);
  return sum(per_unit) * (-0.5f / batch_size(mu));
}

Tensor l1_sparsity(const Tensor& code) { return sum(abs(code)) / batch_size(code); }

Tensor kl_sparsity(const Tensor& code, float rho) {
  const Tensor r = mean(code, 0);
  return sum(rho * log(rho / r) + (1.0f - rho) * log((1.0f - rho) / (1.0f - r)));
}

bool contractive_supports(const std::string& activation) {
  return activation == "sigmoid" || activation == "tanh" || activation == "relu" ||
         activation == "identity";
}

Tensor contractive_penalty(const Tensor& code, const Tensor& weight,
                           const std::string& activation) {
  const Tensor row_norms = sum(weight * weight, 1);  // ||W_j||^2, [code]
  Tensor slope;                                      // s'(a) as a function of h = s(a)
  if (activation == "sigmoid") {
    slope = code * (1.0f - code);
  } else if (activation == "tanh") {
    slope = 1.0f - code * code;
  } else if (activation == "relu" || activation == "identity") {
    // Constant slopes: 0 or 1, with no gradient of their own.
    slope = Tensor::empty(code.shape());
    for (int64_t i = 0; i < code.numel(); ++i)
      slope.data()[i] = activation == "identity" || code.data()[i] > 0 ? 1.0f : 0.0f;
  } else {
    throw std::invalid_argument("contractive penalty: no closed form for activation '" +
                                activation + "' (supported: sigmoid, tanh, relu, identity)");
  }
  return sum(slope * slope * row_norms) / batch_size(code);
}

}  // namespace descent
