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

// Removes the temporaries that writes into `dir` left when a crash cut them short (files named
// ".<target>.tmp-<pid>-<n>"), e.g. before a run resumes in that directory.
void remove_stale_temporaries(const std::filesystem::path& dir);

// The file's whole contents; throws std::runtime_error naming the path when it can't be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace descent
