#include "descent/io/model_weights.h"

#include "descent/io/safetensors.h"

namespace descent {

void save_weights(const Module& model, const std::filesystem::path& path) {
  save_safetensors(path, model.named_parameters(), {{"format", "pt"}});
}

void load_weights(Module& model, const std::filesystem::path& path) {
  copy_by_name(model.named_parameters(), load_safetensors(path).tensors, path.string());
}

}  // namespace descent
