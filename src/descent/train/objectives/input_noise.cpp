#include "descent/train/objectives/input_noise.h"

#include <stdexcept>

namespace descent {

const std::vector<std::string>& input_noise_names() {
  static const std::vector<std::string> names = {"none", "gaussian", "mask", "salt_and_pepper"};
  return names;
}

InputNoise parse_input_noise(const std::string& name) {
  const auto& names = input_noise_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<InputNoise>(i);
  throw std::invalid_argument("unknown input noise '" + name +
                              "' (valid: none, gaussian, mask, salt_and_pepper)");
}

Tensor corrupt(const Tensor& x, InputNoise noise, float level, Generator& gen,
               ShardedDraws* draws) {
  if (noise == InputNoise::None) return x;
  Tensor out = Tensor::empty(x.shape());
  const float* in = x.data();
  float* o = out.data();
  const int64_t n = x.numel();
  const auto draw = [noise](Generator& g) {
    return noise == InputNoise::Gaussian ? g.normal() : g.uniform();
  };
  const auto apply = [&](int64_t i, double r) {
    switch (noise) {
      case InputNoise::Gaussian:
        o[i] = in[i] + level * static_cast<float>(r);
        break;
      case InputNoise::Mask:
        o[i] = r < level ? 0.0f : in[i];
        break;
      case InputNoise::SaltAndPepper:
        o[i] = r < level ? (r < level / 2 ? 0.0f : 1.0f) : in[i];
        break;
      case InputNoise::None:
        break;
    }
  };
  if (draws) {
    const int64_t rows = x.dim() > 0 ? x.size(0) : 1;
    draws->draw(gen, rows, n / std::max<int64_t>(rows, 1), draw, apply);
  } else {
    for (int64_t i = 0; i < n; ++i) apply(i, draw(gen));
  }
  return out;
}

}  // namespace descent
