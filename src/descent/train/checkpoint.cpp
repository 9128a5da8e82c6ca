#include "descent/train/checkpoint.h"

#include "descent/io/atomic_file.h"
#include "descent/io/json_input.h"
#include "descent/io/safetensors.h"

namespace descent {
namespace {
constexpr const char* kMetaKey = "descent_checkpoint";
}  // namespace

void Checkpoint::add_tensors(const std::string& prefix, const std::vector<NamedTensor>& named) {
  for (const auto& [name, tensor] : named) tensors.push_back({prefix + "." + name, tensor});
}

std::vector<NamedTensor> Checkpoint::tensors_under(const std::string& prefix) const {
  const std::string head = prefix + ".";
  std::vector<NamedTensor> out;
  for (const auto& [name, tensor] : tensors)
    if (name.rfind(head, 0) == 0) out.push_back({name.substr(head.size()), tensor});
  return out;
}

std::string encode_checkpoint(const Checkpoint& checkpoint) {
  return encode_safetensors(checkpoint.tensors, {{kMetaKey, checkpoint.meta.dump()}});
}

Checkpoint decode_checkpoint(std::string_view bytes, const std::string& source) {
  SafetensorsFile file = decode_safetensors(bytes, source);
  auto it = file.metadata.find(kMetaKey);
  if (it == file.metadata.end())
    throw FormatError(source + ": no \"" + kMetaKey +
                      "\" entry in the metadata (not a descent checkpoint)");
  Checkpoint out;
  out.source = source;
  out.meta = parse_json(it->second, source, "the checkpoint description");
  if (!out.meta.is_object())
    throw FormatError(source + ": the checkpoint description is not a JSON object");
  out.tensors = std::move(file.tensors);
  return out;
}

void save_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint) {
  write_file_atomically(path, encode_checkpoint(checkpoint));
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
  return decode_checkpoint(read_file(path), path.string());
}

}  // namespace descent
