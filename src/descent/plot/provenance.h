#pragma once
// What every figure records about where it came from (page.h, export.h): the command line that
// made it, for the "provenance" block of pages and the data file beside static images.
#include <string>
#include <vector>

namespace descent::plot {

// The arguments as one shell line: each quoted with '...' when it holds anything but letters,
// digits and -_=:,./+@% (so the line can be pasted back into a shell).
std::string shell_line(const std::vector<std::string>& args);

// This process's command line (from /proc/self/cmdline), the program shown by its file name:
// "descent optimize --function rosenbrock ...". Empty where /proc is not available.
std::string command_line();

}  // namespace descent::plot
