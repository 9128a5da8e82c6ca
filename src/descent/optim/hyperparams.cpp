#include "descent/optim/hyperparams.h"

#include "descent/util/number_text.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "descent/util/spec.h"

namespace descent {

HyperparamDef real(const std::string& name, double value) {
  HyperparamDef d;
  d.name = name;
  d.value = value;
  return d;
}

HyperparamDef non_negative(const std::string& name, double value) {
  HyperparamDef d = real(name, value);
  d.min = 0;
  return d;
}

HyperparamDef integer(const std::string& name, double value, double min, double max) {
  HyperparamDef d = real(name, value);
  d.kind = HyperparamKind::Integer;
  d.min = min;
  d.max = max;
  return d;
}

HyperparamDef unit_interval(const std::string& name, double value) {
  HyperparamDef d = real(name, value);
  d.min = 0;
  d.max = 1;
  d.max_open = true;
  return d;
}

HyperparamDef fraction(const std::string& name, double value) {
  HyperparamDef d = real(name, value);
  d.min = 0;
  d.max = 1;
  return d;
}

HyperparamDef flag(const std::string& name, bool value) {
  HyperparamDef d = real(name, value ? 1.0 : 0.0);
  d.kind = HyperparamKind::Bool;
  return d;
}

HyperparamDef choice(const std::string& name, std::vector<std::string> choices,
                     const std::string& value) {
  HyperparamDef d = real(name, 0);
  d.kind = HyperparamKind::Choice;
  for (size_t i = 0; i < choices.size(); ++i)
    if (choices[i] == value) d.value = static_cast<double>(i);
  d.choices = std::move(choices);
  return d;
}

Hyperparams defaults_of(const std::vector<HyperparamDef>& defs) {
  Hyperparams h;
  for (const auto& d : defs) h[d.name] = d.value;
  return h;
}

std::string hyperparam_text(const HyperparamDef& def, double value) {
  if (def.kind == HyperparamKind::Bool) return value != 0 ? "true" : "false";
  if (def.kind == HyperparamKind::Choice) {
    const auto i = static_cast<size_t>(value);
    return i < def.choices.size() ? def.choices[i] : std::to_string(value);
  }
  return shortest_text(value);  // reads back as the same double
}

const std::string& choice_name(const HyperparamDef& def, double value) {
  if (def.kind != HyperparamKind::Choice || !(value >= 0) ||
      value >= static_cast<double>(def.choices.size()) || value != std::floor(value))
    throw std::invalid_argument(def.name + "=" + hyperparam_text(def, value) +
                                " does not name one of its choices");
  return def.choices[static_cast<size_t>(value)];
}

double choice_value(const std::string& context, const HyperparamDef& def, const std::string& name) {
  for (size_t i = 0; i < def.choices.size(); ++i)
    if (def.choices[i] == name) return static_cast<double>(i);
  std::string names;
  for (const auto& c : def.choices) names += (names.empty() ? "" : ", ") + c;
  throw SpecError(context + ": " + def.name + "=" + name + " is not valid (expected one of " +
                  names + ")");
}

void check_hyperparam(const std::string& context, const HyperparamDef& def, double value) {
  auto fail = [&](const std::string& expected) {
    throw SpecError(context + ": " + def.name + "=" + hyperparam_text(def, value) +
                    " is not valid (expected " + expected + ")");
  };
  switch (def.kind) {
    case HyperparamKind::Bool:
      if (value != 0 && value != 1) fail("true or false");
      return;
    case HyperparamKind::Choice: {
      if (value < 0 || value >= static_cast<double>(def.choices.size()) ||
          value != std::floor(value)) {
        std::string names;
        for (const auto& c : def.choices) names += (names.empty() ? "" : ", ") + c;
        fail("one of " + names);
      }
      return;
    }
    case HyperparamKind::Integer: {
      if (!std::isfinite(value) || value != std::floor(value) || value < def.min ||
          value > def.max) {
        std::ostringstream range;
        range << "a whole number in [" << def.min << ", " << def.max << "]";
        fail(range.str());
      }
      return;
    }
    case HyperparamKind::Real: {
      const bool ok = std::isfinite(value) && value >= def.min &&
                      (def.max_open ? value < def.max : value <= def.max);
      if (!ok) {
        std::ostringstream range;
        if (std::isinf(def.min) && std::isinf(def.max))
          range << "a finite number";
        else if (std::isinf(def.max))
          range << "a number >= " << def.min;
        else
          range << "a number in [" << def.min << ", " << def.max << (def.max_open ? ")" : "]");
        fail(range.str());
      }
      return;
    }
  }
}

}  // namespace descent
