#pragma once
// An optimizer's state as one safetensors image: the state buffers as tensors and the JSON
// description (groups, hyper-parameters, step counts) in the metadata under "optimizer".
// Checkpoints and resume tests use it.
#include <filesystem>
#include <string>
#include <string_view>

#include "descent/optim/optimizer.h"

namespace descent {

std::string encode_optimizer_state(const OptimizerState& state);
// Throws FormatError naming `source` when the image is not an optimizer state.
OptimizerState decode_optimizer_state(std::string_view bytes, const std::string& source);

void save_optimizer_state(const std::filesystem::path& path, const Optimizer& optimizer);  // atomic
void load_optimizer_state(const std::filesystem::path& path, Optimizer& optimizer);

}  // namespace descent
