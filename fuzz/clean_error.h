#pragma once
// What a harness accepts as a clean refusal of bad input: the exceptions descent raises for it
// (std::runtime_error: DataError, FormatError, ...; std::invalid_argument: SpecError,
// ConfigError, a hyper-parameter out of range), each with a message of its own. Anything else
// escaping a reader is a bug the fuzzer should report: std::out_of_range or std::length_error
// from a library container, nlohmann's exceptions (their raw text names no file or key),
// std::bad_alloc, or a bare library message such as "stod". The harness then aborts, which
// libFuzzer records as a crash with its input.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <typeinfo>

namespace descent::fuzz {

inline bool is_bare_library_message(const char* what) {
  for (const char* name : {"stoi", "stol", "stoll", "stoul", "stoull", "stof", "stod", "stold"})
    if (std::strcmp(what, name) == 0) return true;
  return what[0] == '\0';
}

// Call from a catch (const std::exception&) block: returns for a clean refusal, aborts otherwise.
inline void expect_clean_error(const std::exception& e) {
  const bool clean_type = dynamic_cast<const std::runtime_error*>(&e) != nullptr ||
                          dynamic_cast<const std::invalid_argument*>(&e) != nullptr;
  const bool library_type = dynamic_cast<const std::range_error*>(&e) != nullptr ||
                            dynamic_cast<const std::overflow_error*>(&e) != nullptr;
  if (clean_type && !library_type && !is_bare_library_message(e.what())) return;
  std::fprintf(stderr, "unclean error escaped: %s: %s\n", typeid(e).name(), e.what());
  std::abort();
}

}  // namespace descent::fuzz
