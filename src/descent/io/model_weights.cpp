#include "descent/io/model_weights.h"

#include <set>
#include <stdexcept>

#include "descent/io/safetensors.h"

namespace descent {

void save_weights(const Module& model, const std::filesystem::path& path) {
  save_safetensors(path, model.named_parameters(), {{"format", "pt"}});
}

void load_weights(Module& model, const std::filesystem::path& path) {
  SafetensorsFile file = load_safetensors(path);
  std::set<std::string> expected;
  for (auto& p : model.named_parameters()) {
    expected.insert(p.name);
    const Tensor* t = file.find(p.name);
    if (!t)
      throw std::runtime_error(path.string() + ": missing tensor '" + p.name + "' (shape " +
                               to_string(p.tensor.shape()) + ")");
    if (t->shape() != p.tensor.shape())
      throw std::runtime_error(path.string() + ": tensor '" + p.name + "' has shape " +
                               to_string(t->shape()) + ", the model expects " +
                               to_string(p.tensor.shape()));
  }
  for (const auto& t : file.tensors)
    if (!expected.count(t.name))
      throw std::runtime_error(path.string() + ": unexpected tensor '" + t.name +
                               "' (the model has no such parameter)");
  // Copy only after every check passed, so a bad file leaves the model as it was.
  for (auto& p : model.named_parameters()) p.tensor.copy_from(*file.find(p.name));
}

}  // namespace descent
