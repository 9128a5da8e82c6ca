#include "descent/train/checkpoint_fields.h"

#include <cmath>

#include "descent/io/json_input.h"

namespace descent {

const nlohmann::json* CheckpointFields::find(std::string_view path) const {
  const nlohmann::json* at = &checkpoint_.meta;
  while (!path.empty()) {
    const size_t dot = path.find('.');
    const std::string key(path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (at->is_object()) {
      const auto it = at->find(key);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array() && !key.empty() && key.size() < 10 &&
               key.find_first_not_of("0123456789") == std::string::npos) {
      const size_t i = std::stoul(key);
      if (i >= at->size()) return nullptr;
      at = &(*at)[i];
    } else {
      return nullptr;
    }
  }
  return at;
}

bool CheckpointFields::has(std::string_view path) const { return find(path) != nullptr; }

void CheckpointFields::refuse(std::string_view path, std::string_view expected) const {
  const nlohmann::json* value = find(path);
  throw CheckpointError(source() + ": " + std::string(path) + " is " +
                        (value ? json_excerpt(*value) : std::string("missing")) + "; expected " +
                        std::string(expected));
}

void CheckpointFields::fail(std::string_view what) const {
  throw CheckpointError(source() + ": " + std::string(what));
}

const nlohmann::json& CheckpointFields::at(std::string_view path, std::string_view expected) const {
  const nlohmann::json* value = find(path);
  if (!value) refuse(path, expected);
  return *value;
}

const nlohmann::json& CheckpointFields::object(std::string_view path) const {
  const nlohmann::json& value = at(path, "an object");
  if (!value.is_object()) refuse(path, "an object");
  return value;
}

const nlohmann::json& CheckpointFields::list(std::string_view path) const {
  const nlohmann::json& value = at(path, "a list");
  if (!value.is_array()) refuse(path, "a list");
  return value;
}

int64_t CheckpointFields::integer(std::string_view path, int64_t min, int64_t max,
                                  std::string_view bound) const {
  std::string expected =
      max == INT64_MAX ? "an integer of at least " + std::to_string(min)
                       : "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!bound.empty()) expected += " (" + std::string(bound) + ")";
  const nlohmann::json& value = at(path, expected);
  // 3.0 is not an integer here: a checkpoint writes integers as integers.
  if (!value.is_number_integer()) refuse(path, expected);
  if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    refuse(path, expected);
  const int64_t n = value.get<int64_t>();
  if (n < min || n > max) refuse(path, expected);
  return n;
}

double CheckpointFields::number(std::string_view path) const {
  const nlohmann::json& value = at(path, "a finite number");
  if (!value.is_number() || !std::isfinite(value.get<double>())) refuse(path, "a finite number");
  return value.get<double>();
}

std::string CheckpointFields::text(std::string_view path) const {
  const nlohmann::json& value = at(path, "a string");
  if (!value.is_string()) refuse(path, "a string");
  return value.get<std::string>();
}

GeneratorState CheckpointFields::generator(std::string_view path) const {
  constexpr std::string_view kExpected =
      "a random generator's state: 5 unsigned integers, the first 4 not all zero";
  const nlohmann::json& value = at(path, kExpected);
  if (!value.is_array() || value.size() != 5) refuse(path, kExpected);
  GeneratorState state{};
  for (size_t i = 0; i < 5; ++i) {
    if (!value[i].is_number_unsigned()) refuse(path, kExpected);
    state[i] = value[i].get<uint64_t>();
  }
  if ((state[0] | state[1] | state[2] | state[3]) == 0) refuse(path, kExpected);
  return state;
}

}  // namespace descent
