// load_config on the input as a TOML file; lines after a line "#overrides" are also --set
// overrides ("train.epochs=3"). A configuration it accepts must round-trip: to_toml of it (what
// a run writes as config.toml) loads back to a configuration that writes the same text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "clean_error.h"
#include "descent/app/config.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  const std::string marker = "#overrides\n";
  if (const size_t at = text.find(marker); at != std::string::npos) {
    std::istringstream lines(text.substr(at + marker.size()));
    for (std::string line; std::getline(lines, line);) overrides.push_back(line);
    text.resize(at);
  }
  static descent::fuzz::MemoryFile file, written;
  file.assign(text);
  std::string first;
  try {
    first = descent::to_toml(descent::load_config(file.path(), overrides));
  } catch (const std::exception& e) {
    descent::fuzz::expect_clean_error(e);
    return 0;
  }
  written.assign(first);
  std::string second;
  try {
    second = descent::to_toml(descent::load_config(written.path(), {}));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "the written configuration does not load back: %s\n--- written:\n%s",
                 e.what(), first.c_str());
    std::abort();
  }
  if (second != first) {
    std::fprintf(stderr, "round trip changed the configuration\n--- first:\n%s--- second:\n%s",
                 first.c_str(), second.c_str());
    std::abort();
  }
  return 0;
}
