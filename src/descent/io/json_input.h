#pragma once
// JSON from files that may be hostile (safetensors headers, checkpoint descriptions, run
// records): nesting is bounded while parsing, so no later step (copying, printing, destroying)
// recurses deeper than kMaxJsonDepth; and values quoted in messages are cut short, so a 60 MB
// value is not echoed to the terminal.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "descent/io/format_error.h"

namespace descent {

constexpr int kMaxJsonDepth = 64;

// Throws FormatError "<source>: <what> is not valid JSON: ..." or "... nests deeper than 64".
nlohmann::json parse_json(std::string_view text, const std::string& source,
                          const std::string& what);

// At most `max_chars` characters of the value's text, "..." marking a cut.
std::string json_excerpt(const nlohmann::json& value, size_t max_chars = 60);
std::string text_excerpt(std::string_view text, size_t max_chars = 60);

}  // namespace descent
