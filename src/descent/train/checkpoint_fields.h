#pragma once
// A checkpoint's description read field by field, each one checked, so that a checkpoint a run
// cannot take is refused with a message naming the file, the field (a dotted path: loop.epoch,
// history.3.epoch), the value found and what was expected; not taken as it is (an epoch of -5)
// nor refused in the JSON library's words ("key 'loop' not found").
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "descent/io/format_error.h"
#include "descent/train/checkpoint.h"
#include "descent/util/random.h"

namespace descent {

// A checkpoint that is not what the run resuming from it expects; the message names the file.
class CheckpointError : public FormatError {
 public:
  using FormatError::FormatError;
};

class CheckpointFields {
 public:
  explicit CheckpointFields(const Checkpoint& checkpoint) : checkpoint_(checkpoint) {}

  const std::string& source() const { return checkpoint_.source; }
  bool has(std::string_view path) const;

  // The value at `path`. Each throws CheckpointError "<file>: <path> is missing; expected ..."
  // or "<file>: <path> is <value>; expected ..." unless the value is what it asks for.
  const nlohmann::json& at(std::string_view path, std::string_view expected) const;
  const nlohmann::json& object(std::string_view path) const;
  const nlohmann::json& list(std::string_view path) const;
  // `bound` says where the limits come from, e.g. "train.epochs + 1".
  int64_t integer(std::string_view path, int64_t min, int64_t max,
                  std::string_view bound = "") const;
  double number(std::string_view path) const;  // finite
  std::string text(std::string_view path) const;
  // A generator's saved state: five unsigned words, the first four not all zero (xoshiro256**
  // would stay at zero for ever).
  GeneratorState generator(std::string_view path) const;

  [[noreturn]] void refuse(std::string_view path, std::string_view expected) const;
  // "<file>: <what>", for a check that is not about one field's value.
  [[noreturn]] void fail(std::string_view what) const;

 private:
  const nlohmann::json* find(std::string_view path) const;
  const Checkpoint& checkpoint_;
};

}  // namespace descent
