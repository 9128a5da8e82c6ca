#pragma once
// Whole-file reads and crash-safe whole-file writes. Checkpoints and weight files are rewritten in
// place during training, so a crash (or a full disk) must never leave a truncated target behind.
#include <filesystem>
#include <string>
#include <string_view>

namespace descent {

// Writes `bytes` to a temporary file next to `path`, fsyncs it, renames it over `path` and fsyncs
// the directory. Readers (and a crash at any moment) see either the old file or the new one. On
// failure the temporary is removed and std::runtime_error names the path and the system error.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// The file's whole contents; throws std::runtime_error naming the path when it can't be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace descent
