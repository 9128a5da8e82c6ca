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

// Whether `name` is a temporary of a write that was cut short: ".<target>.tmp-<pid>-<n>" whose
// writer, process <pid>, is no longer running. A live writer's temporary is never abandoned (a
// reused process id only keeps a leftover longer).
bool is_abandoned_temporary(const std::string& name);

// Removes the abandoned temporaries in `dir` (is_abandoned_temporary), e.g. before a run resumes
// there; those of writers still at work are left alone.
void remove_stale_temporaries(const std::filesystem::path& dir);

// The file's whole contents; throws std::runtime_error naming the path when it can't be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace descent
