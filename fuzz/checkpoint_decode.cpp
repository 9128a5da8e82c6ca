// decode_checkpoint on the input, then what a resume reads from it first: the model's and the
// optimizer's tensors, and the optimizer's state loaded into an Adam over a small two-layer
// model's parameters (the corpus's checkpoints come from such a model).
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string_view>

#include <nlohmann/json.hpp>

#include "clean_error.h"
#include "descent/optim/registry.h"
#include "descent/train/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const descent::Checkpoint cp = descent::decode_checkpoint(bytes, "fuzz.checkpoint");
    const std::vector<descent::NamedTensor> weights = cp.tensors_under("model");
    std::vector<descent::Tensor> params;
    for (const auto& [name, tensor] : weights) params.push_back(tensor.clone().requires_grad_());
    if (params.empty()) return 0;
    auto opt = descent::make_optimizer("adam", params);
    // As Trainer::restore does: a missing or mistyped entry is the checkpoint's error.
    try {
      opt->load_state_dict({cp.meta.at("optimizer"), cp.tensors_under("optimizer")});
    } catch (const nlohmann::json::exception&) {
    }
  } catch (const std::exception& e) {
    descent::fuzz::expect_clean_error(e);
  }
  return 0;
}
