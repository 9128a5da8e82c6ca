#include "descent/io/optimizer_state.h"

#include "descent/io/atomic_file.h"
#include "descent/io/json_input.h"
#include "descent/io/safetensors.h"

namespace descent {

std::string encode_optimizer_state(const OptimizerState& state) {
  return encode_safetensors(state.tensors, {{"optimizer", state.meta.dump()}});
}

OptimizerState decode_optimizer_state(std::string_view bytes, const std::string& source) {
  SafetensorsFile file = decode_safetensors(bytes, source);
  auto it = file.metadata.find("optimizer");
  if (it == file.metadata.end())
    throw FormatError(source + ": no \"optimizer\" entry in the metadata (not an optimizer state)");
  OptimizerState out;
  out.meta = parse_json(it->second, source, "the optimizer description");
  out.tensors = std::move(file.tensors);
  return out;
}

void save_optimizer_state(const std::filesystem::path& path, const Optimizer& optimizer) {
  write_file_atomically(path, encode_optimizer_state(optimizer.state_dict()));
}

void load_optimizer_state(const std::filesystem::path& path, Optimizer& optimizer) {
  optimizer.load_state_dict(decode_optimizer_state(read_file(path), path.string()));
}

}  // namespace descent
