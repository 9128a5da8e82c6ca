#pragma once
// A training checkpoint: everything a stopped run needs to continue bit for bit, in one
// safetensors file (so one atomic rename replaces it). Tensors carry a prefix naming their owner:
//   model.<name>            the weights, PyTorch state_dict names
//   optimizer.<name>        the optimizer's state buffers
//   ema.<name>, early_stopping.<name>, ...   a callback's or the trainer's own tensors
// The metadata entry "descent_checkpoint" is a JSON object: the loop's position (epoch, batch,
// step), the random generators' states, the optimizer's and the schedule's descriptions and the
// metric history so far.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/tensor/named_tensor.h"

namespace descent {

struct Checkpoint {
  nlohmann::json meta = nlohmann::json::object();
  std::vector<NamedTensor> tensors;
  std::string source = "the checkpoint";  // the file it was read from, for messages

  void add_tensors(const std::string& prefix, const std::vector<NamedTensor>& named);
  // The tensors under "<prefix>.", with the prefix removed, in file order.
  std::vector<NamedTensor> tensors_under(const std::string& prefix) const;
};

std::string encode_checkpoint(const Checkpoint& checkpoint);
// Throws FormatError naming `source` when the bytes are not a descent checkpoint.
Checkpoint decode_checkpoint(std::string_view bytes, const std::string& source);

// Atomic (temporary file, fsync, rename): a crash leaves the previous checkpoint in place.
void save_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint);
Checkpoint load_checkpoint(const std::filesystem::path& path);

}  // namespace descent
