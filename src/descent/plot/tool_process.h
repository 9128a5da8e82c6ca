#pragma once
// Running the external programs figures need (node, rsvg-convert): found on PATH, fed a text on
// stdin, their stdout and stderr collected. Files rather than pipes carry the streams, so a large
// spec in and a large SVG out can never deadlock. Internal to plot/.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace descent::plot {

// The first executable `name` in the directories of $PATH.
std::optional<std::filesystem::path> find_program(const std::string& name);

struct ToolResult {
  int status = -1;  // the exit status; 128 + signal when killed by one
  std::string out, err;
};

// Runs `program args...` with `input` on its stdin and waits for it. Throws std::runtime_error
// when it cannot be started, or when it runs longer than `timeout_s` (then it is killed: a
// renderer stuck on a pathological figure must not hang the command).
ToolResult run_tool(const std::filesystem::path& program, const std::vector<std::string>& args,
                    const std::string& input, double timeout_s = 300);

}  // namespace descent::plot
