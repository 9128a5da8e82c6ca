#pragma once
// Hyper-parameters: each optimizer declares its own, with a default, a kind and the values it
// accepts, so that every way of setting one (C++ groups, SPEC strings, the TOML config) is checked
// the same way and an error can say what is accepted. Values are stored as doubles: booleans as
// 0/1, choices as the index of the chosen name (read back by the name: ParamGroup::choice).
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace descent {

using Hyperparams = std::map<std::string, double>;

// Integer values are whole numbers within [min, max], so that the optimizer can cast them.
enum class HyperparamKind { Real, Integer, Bool, Choice };

struct HyperparamDef {
  std::string name;
  double value = 0;  // the default
  HyperparamKind kind = HyperparamKind::Real;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool max_open = false;             // the range is [min, max) instead of [min, max]
  std::vector<std::string> choices;  // for Choice
};

// Shorthands for declaring hyper-parameters.
HyperparamDef real(const std::string& name, double value);           // any finite number
HyperparamDef non_negative(const std::string& name, double value);   // [0, inf)
HyperparamDef unit_interval(const std::string& name, double value);  // [0, 1), e.g. betas
HyperparamDef fraction(const std::string& name, double value);       // [0, 1], e.g. weights
// A whole number in [min, max] (iteration counts, history sizes); the default max keeps every cast
// to int defined.
HyperparamDef integer(const std::string& name, double value, double min, double max = 1e9);
HyperparamDef flag(const std::string& name, bool value);
HyperparamDef choice(const std::string& name, std::vector<std::string> choices,
                     const std::string& value);

Hyperparams defaults_of(const std::vector<HyperparamDef>& defs);

// Throws SpecError: "<context>: key=value is not valid (expected <range or names>)".
void check_hyperparam(const std::string& context, const HyperparamDef& def, double value);

// The value as it is written in SPECs and TOML ("true", "0.001", "pytorch").
std::string hyperparam_text(const HyperparamDef& def, double value);

// The name a Choice hyper-parameter's value selects; throws std::invalid_argument when the value
// is not one of def's choices.
const std::string& choice_name(const HyperparamDef& def, double value);

// The value a Choice hyper-parameter stores for `name` (its index); throws SpecError:
// "<context>: key=name is not valid (expected one of a, b)".
double choice_value(const std::string& context, const HyperparamDef& def, const std::string& name);

}  // namespace descent
