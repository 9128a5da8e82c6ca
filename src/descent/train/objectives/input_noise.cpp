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

Tensor corrupt(const Tensor& x, InputNoise noise, float level, Generator& gen) {
  if (noise == InputNoise::None) return x;
  Tensor out = Tensor::empty(x.shape());
  const float* in = x.data();
  float* o = out.data();
  const int64_t n = x.numel();
  for (int64_t i = 0; i < n; ++i) {
    switch (noise) {
      case InputNoise::Gaussian:
        o[i] = in[i] + level * static_cast<float>(gen.normal());
        break;
      case InputNoise::Mask:
        o[i] = gen.uniform() < level ? 0.0f : in[i];
        break;
      case InputNoise::SaltAndPepper: {
        const double u = gen.uniform();
        o[i] = u < level ? (u < level / 2 ? 0.0f : 1.0f) : in[i];
        break;
      }
      case InputNoise::None:
        break;
    }
  }
  return out;
}

}  // namespace descent
