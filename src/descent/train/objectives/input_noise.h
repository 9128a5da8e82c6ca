#pragma once
// Corrupted inputs for denoising autoencoders, x~ from x (no gradient):
//   gaussian          x + level * N(0, 1)
//   mask              each value set to 0 with probability level
//   salt_and_pepper   each value, with probability level, set to 0 or 1 (even odds)
#include <string>
#include <vector>

#include "descent/tensor/tensor.h"
#include "descent/util/batch_shard.h"
#include "descent/util/random.h"

namespace descent {

enum class InputNoise { None, Gaussian, Mask, SaltAndPepper };

InputNoise parse_input_noise(const std::string& name);  // throws std::invalid_argument
const std::vector<std::string>& input_noise_names();    // none, gaussian, mask, salt_and_pepper

// With `draws`, a shard of a global batch takes its rows' part of the whole batch's noise
// (util/batch_shard.h).
Tensor corrupt(const Tensor& x, InputNoise noise, float level, Generator& gen,
               ShardedDraws* draws = nullptr);

}  // namespace descent
