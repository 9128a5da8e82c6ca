// read_idx on the input as a file: raw IDX, or gzip when it starts with 1f 8b (the corpus holds
// both). Malformed files must be refused with a DataError.
#include <cstddef>
#include <cstdint>
#include <exception>

#include "clean_error.h"
#include "descent/data/idx.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static descent::fuzz::MemoryFile file;
  file.assign(data, size);
  try {
    const descent::IdxArray array = descent::read_idx(file.path());
    size_t count = 1;
    for (int64_t d : array.dims) count *= static_cast<size_t>(d);
    if (count != array.values.size()) std::abort();  // the values fill the dimensions exactly
  } catch (const std::exception& e) {
    descent::fuzz::expect_clean_error(e);
  }
  return 0;
}
