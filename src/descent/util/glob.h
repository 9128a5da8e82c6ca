#pragma once
// Shell-style name patterns for choosing parameters by name ("*.bias", "encoder.*", "?.weight"):
// '*' matches any run of characters (dots included), '?' any one character, anything else
// itself.
#include <string_view>

namespace descent {

bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace descent
