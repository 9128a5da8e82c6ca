#pragma once
#include <stdexcept>

namespace descent {

// A malformed or unsupported file; the message names the source and the problem.
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace descent
