#pragma once
// A module's parameters in a safetensors file, under PyTorch's state_dict names, so that
// `model.load_state_dict(...)` in PyTorch reads descent's weights and descent starts from
// PyTorch's.
#include <filesystem>

#include "descent/nn/module.h"

namespace descent {

void save_weights(const Module& model, const std::filesystem::path& path);  // atomic

// Every parameter must be present with its shape; extra tensors are an error too (as PyTorch's
// strict loading). Messages name the file and the tensor.
void load_weights(Module& model, const std::filesystem::path& path);

}  // namespace descent
