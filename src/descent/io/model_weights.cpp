#include "descent/io/model_weights.h"

#include "descent/io/safetensors.h"

namespace descent {

void save_weights(const Module& model, const std::filesystem::path& path) {
  save_safetensors(path, model.named_parameters(), {{"format", "pt"}});
}

void load_weights(Module& model, const std::filesystem::path& path) {
  const SafetensorsFile file = load_safetensors(path);
  require_finite(file.tensors, path.string());
  copy_by_name(model.named_parameters(), file.tensors, path.string());
}

}  // namespace descent
