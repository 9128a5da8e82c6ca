#pragma once
// Text quoted in messages is cut short, so a 60 MB CSV cell or SPEC is not echoed whole to the
// terminal: the first characters, then "..." and how long the whole was.
#include <cstddef>
#include <string>
#include <string_view>

namespace descent {

// The text when it has at most `max_chars` characters; else its first `max_chars` and
// "... (N characters)". Never cuts a UTF-8 character in half.
std::string excerpt(std::string_view text, size_t max_chars = 60);

}  // namespace descent
