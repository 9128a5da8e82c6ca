#include "descent/io/json_input.h"

#include "descent/util/excerpt.h"

namespace descent {
namespace {

struct TooDeep {};

}  // namespace

nlohmann::json parse_json(std::string_view text, const std::string& source,
                          const std::string& what) {
  // The callback sees each value's depth as the parser reaches it, before anything deeper exists.
  const nlohmann::json::parser_callback_t bound = [](int depth, nlohmann::json::parse_event_t,
                                                     nlohmann::json&) {
    if (depth > kMaxJsonDepth) throw TooDeep{};
    return true;
  };
  try {
    return nlohmann::json::parse(text, bound);
  } catch (const TooDeep&) {
    throw FormatError(source + ": " + what + " nests deeper than " + std::to_string(kMaxJsonDepth) +
                      " levels");
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source + ": " + what + " is not valid JSON: " + text_excerpt(e.what(), 200));
  }
}

std::string text_excerpt(std::string_view text, size_t max_chars) {
  return excerpt(text, max_chars);
}

std::string json_excerpt(const nlohmann::json& value, size_t max_chars) {
  // Depth is bounded by parse_json, so dump() is safe; its length is cut here.
  return text_excerpt(value.dump(), max_chars);
}

}  // namespace descent
