#pragma once
// The safetensors format (https://github.com/huggingface/safetensors), as read and written here:
//   [8 bytes]  N, the header length, a little-endian uint64
//   [N bytes]  UTF-8 JSON object: name -> {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}
//              plus an optional "__metadata__": {string: string}; may end in padding spaces
//   [rest]     the data section: raw little-endian values, tensors back to back with no gaps;
//              data_offsets are relative to its start, end exclusive
// We write F32 only and pad the header to a multiple of 8 bytes (as the reference writer does, so
// the data section stays aligned). We read F32, F64, F16 and BF16, converting to float32.
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "descent/io/format_error.h"
#include "descent/tensor/named_tensor.h"
#include "descent/tensor/tensor.h"

namespace descent {

struct SafetensorsFile {
  std::vector<NamedTensor> tensors;                 // in file order of data offsets
  std::map<std::string, std::string> metadata;      // the "__metadata__" string map, if any
  const Tensor* find(std::string_view name) const;  // nullptr when absent
};

// Tensors are laid out in the order given. Throws std::invalid_argument for an undefined tensor,
// an empty, duplicate or reserved ("__metadata__") name, or a name or metadata that isn't UTF-8.
std::string encode_safetensors(const std::vector<NamedTensor>& tensors,
                               const std::map<std::string, std::string>& metadata = {});

// Throws FormatError; `source_name` (usually the path) prefixes every message.
SafetensorsFile decode_safetensors(std::string_view bytes, const std::string& source_name);

// Atomic: a crash leaves either the old file or the complete new one (see write_file_atomically).
void save_safetensors(const std::filesystem::path& path, const std::vector<NamedTensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// Throws std::runtime_error naming the path when unreadable, FormatError when malformed.
SafetensorsFile load_safetensors(const std::filesystem::path& path);

}  // namespace descent
