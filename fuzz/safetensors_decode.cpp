// decode_safetensors on the input; what it accepts must encode and decode again to the same
// tensors and metadata (F64, F16 and BF16 come back as the F32 they were converted to).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string_view>

#include "clean_error.h"
#include "descent/io/safetensors.h"

namespace {

bool same_bits(const descent::Tensor& a, const descent::Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<size_t>(a.numel())) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  descent::SafetensorsFile file;
  try {
    file = descent::decode_safetensors(bytes, "fuzz.safetensors");
  } catch (const std::exception& e) {
    descent::fuzz::expect_clean_error(e);
    return 0;
  }
  std::string encoded;
  try {
    encoded = descent::encode_safetensors(file.tensors, file.metadata);
  } catch (const std::invalid_argument&) {
    return 0;  // a name the writer refuses (empty); the reader may take what it would not write
  }
  const descent::SafetensorsFile again = descent::decode_safetensors(encoded, "again.safetensors");
  if (again.metadata != file.metadata || again.tensors.size() != file.tensors.size()) std::abort();
  for (const descent::NamedTensor& t : file.tensors) {
    const descent::Tensor* back = again.find(t.name);
    if (!back || !same_bits(t.tensor, *back)) std::abort();
  }
  return 0;
}
