#pragma once
// How descent talks to the person at the console: how much it says (-q, -v) and how wide the
// terminal is, so that lines fit it instead of wrapping mid-word.
#include <cstdio>
#include <string>

namespace descent {

// Quiet: the final result, warnings and errors only. Verbose: every epoch's line and what was
// decided on the user's behalf. One setting for the process, made by the command line.
enum class Verbosity { Quiet, Normal, Verbose };
void set_verbosity(Verbosity v);
Verbosity verbosity();

// The columns of the terminal `out` writes to, asked anew on every call (so a resized window is
// seen); 0 when `out` is not a terminal, or when output is a log.
int terminal_columns(std::FILE* out);

// Output is a log even on a terminal: whole lines, nothing redrawn (the ranks of mpirun write to
// a pseudo-terminal that may end in a file). One setting for the process, made by the command line.
void set_output_is_log(bool on);

// `text` broken at spaces into lines of at most `width` characters (a longer word keeps its own
// line), each after the first starting with `indent`; every line ends in '\n'.
std::string wrap_words(const std::string& text, int width, const std::string& indent = "  ");

}  // namespace descent
