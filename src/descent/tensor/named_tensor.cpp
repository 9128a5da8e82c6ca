#include "descent/tensor/named_tensor.h"

#include <cmath>
#include <map>
#include <stdexcept>

namespace descent {

void copy_by_name(const std::vector<NamedTensor>& into, const std::vector<NamedTensor>& from,
                  const std::string& source) {
  std::map<std::string, const Tensor*> by_name;
  for (const auto& t : from) by_name[t.name] = &t.tensor;
  for (const auto& target : into) {
    auto it = by_name.find(target.name);
    if (it == by_name.end())
      throw std::runtime_error(source + ": missing tensor '" + target.name + "' (shape " +
                               to_string(target.tensor.shape()) + ")");
    if (it->second->shape() != target.tensor.shape())
      throw std::runtime_error(source + ": tensor '" + target.name + "' has shape " +
                               to_string(it->second->shape()) + ", expected " +
                               to_string(target.tensor.shape()));
  }
  if (from.size() != into.size())
    for (const auto& t : from) {
      bool known = false;
      for (const auto& target : into) known = known || target.name == t.name;
      if (!known)
        throw std::runtime_error(source + ": unexpected tensor '" + t.name +
                                 "' (nothing of that name to load it into)");
    }
  for (const auto& target : into) {
    Tensor dst = target.tensor;
    dst.copy_from(*by_name.at(target.name));
  }
}

void require_finite(const std::vector<NamedTensor>& tensors, const std::string& source) {
  for (const auto& [name, tensor] : tensors) {
    const float* v = tensor.data();
    const int64_t n = tensor.numel();
    for (int64_t i = 0; i < n; ++i)
      if (!std::isfinite(v[i]))
        throw std::invalid_argument(source + ": tensor '" + name + "' holds " +
                                    (std::isnan(v[i]) ? "NaN" : "an infinity") + " at element " +
                                    std::to_string(i) + " of " + std::to_string(n) +
                                    " (weights must be finite)");
  }
}

}  // namespace descent
