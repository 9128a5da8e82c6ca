#include "descent/util/number_text.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace descent {
namespace {

template <class T>
std::string shortest(T value) {
  char buf[64];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, value).ptr);
}

bool is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' ||
         c == '_';
}

}  // namespace

std::string shortest_text(double value) { return shortest(value); }
std::string shortest_text(float value) { return shortest(value); }

std::string with_shortest_floats(const std::string& toml) {
  std::string out;
  out.reserve(toml.size());
  char quote = 0;  // inside a string: its quote character
  bool comment = false;
  for (size_t i = 0; i < toml.size();) {
    const char c = toml[i];
    if (comment || quote) {
      out += c;
      if (c == '\n') comment = false;
      if (quote == '"' && c == '\\' && i + 1 < toml.size()) {
        out += toml[++i];
      } else if (c == quote) {
        quote = 0;
      }
      ++i;
      continue;
    }
    if (c == '#') comment = true;
    if (c == '"' || c == '\'') quote = c;
    const bool boundary = i == 0 || std::strchr(" =[,\t", toml[i - 1]) != nullptr;
    if (!boundary || !is_number_char(c)) {
      out += c;
      ++i;
      continue;
    }
    size_t end = i;
    while (end < toml.size() && is_number_char(toml[end])) ++end;
    const std::string token = toml.substr(i, end - i);
    double value = 0;
    const char* first = token.data() + (token[0] == '+');
    const auto [stop, error] = std::from_chars(first, token.data() + token.size(), value);
    const bool is_float = token.find_first_of(".eE") != std::string::npos;
    if (is_float && error == std::errc() && stop == token.data() + token.size() &&
        std::isfinite(value)) {
      std::string text = shortest(value);
      if (text.find_first_of(".e") == std::string::npos) text += ".0";  // still a float
      out += text;
    } else {
      out += token;
    }
    i = end;
  }
  return out;
}

}  // namespace descent
