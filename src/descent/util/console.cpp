#include "descent/util/console.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>

namespace descent {
namespace {

std::atomic<Verbosity> current{Verbosity::Normal};
std::atomic<bool> output_is_log{false};

}  // namespace

void set_verbosity(Verbosity v) { current = v; }
Verbosity verbosity() { return current; }

void set_output_is_log(bool on) { output_is_log = on; }

int terminal_columns(std::FILE* out) {
  if (output_is_log) return 0;
  const int fd = fileno(out);
  if (fd < 0 || isatty(fd) == 0) return 0;
  winsize size{};
  if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0)
    return 80;  // a terminal that won't say
  return size.ws_col;
}

std::string wrap_words(const std::string& text, int width, const std::string& indent) {
  std::string out, line;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    if (!line.empty() && static_cast<int>(line.size() + 1 + word.size()) > width) {
      out += line + "\n";
      line = indent;
    } else if (!line.empty() && line != indent) {
      line += ' ';
    }
    line += word;
  }
  if (!line.empty()) out += line + "\n";
  return out;
}

}  // namespace descent
