// read_csv_dataset and read_csv_inputs on the input as a file. The first byte chooses the options
// (header auto/true/false, classification, the target, a training file's classes and input
// columns given or not, dataset or inputs alone); the rest is the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>

#include "clean_error.h"
#include "descent/data/csv.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t choice = data[0];
  static descent::fuzz::MemoryFile file;
  file.assign(data + 1, size - 1);

  static const char* const kHeaders[] = {"auto", "true", "false", "auto"};
  static const char* const kTargets[] = {"-1", "0", "label", "1"};
  descent::CsvOptions options;
  options.header = kHeaders[choice & 3];
  options.classification = (choice >> 2) & 1;
  options.target = kTargets[(choice >> 3) & 3];
  const bool trained = (choice >> 5) & 1;
  if (trained) {  // as a test file or new data for a model trained on "a,b,label"
    options.classes = {"0", "1", "setosa"};
    options.inputs = {.count = 2, .names = {"a", "b"}, .target = 2};
  }
  try {
    if ((choice >> 6) & 1) {
      const descent::Tensor x = descent::read_csv_inputs(file.path(), options);
      if (x.dim() != 2 || (trained && x.shape()[1] != 2)) std::abort();
    } else {
      const descent::Dataset d = descent::read_csv_dataset(file.path(), options);
      const int64_t n = d.inputs.shape()[0];
      if (d.targets.shape()[0] != n || n < 1) std::abort();
      if (options.classification)  // every target a class index
        for (int64_t i = 0; i < n; ++i) {
          const float y = d.targets.data()[i];
          if (!(y >= 0 && y < static_cast<float>(d.num_classes))) std::abort();
        }
    }
  } catch (const std::exception& e) {
    descent::fuzz::expect_clean_error(e);
  }
  return 0;
}
