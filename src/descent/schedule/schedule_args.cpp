#include "descent/schedule/schedule_args.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "descent/util/spec.h"

namespace descent {
namespace {

using Kind = ScheduleArgKind;
using Presence = ScheduleArgDef::Presence;

ScheduleArgDef declare(const std::string& name, Kind kind, double value, Presence presence) {
  ScheduleArgDef def;
  def.name = name;
  def.kind = kind;
  def.value = value;
  def.presence = presence;
  return def;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// The shortest text that reads back as the same double ("0.1", "1e-08").
std::string number_text(double value) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  return std::string(buf, end);
}

// How usage() shows the value: the default where there is one, else what a value looks like.
std::string value_text(const ScheduleArgDef& def) {
  const bool has_default = def.presence == Presence::Default;
  switch (def.kind) {
    case Kind::Bool:
      return def.value != 0 ? "true" : "false";
    case Kind::Choice:
      return join(def.choices, "|");  // the first is the default
    case Kind::Integers:
      return "[INT,...]";
    case Kind::Reals:
      return "[REAL,...]";
    case Kind::Schedules:
      return "[SPEC;...]";
    case Kind::Integer:
      return has_default ? number_text(def.value) : "INT";
    case Kind::Real:
    case Kind::RealOrReals:
      return has_default ? number_text(def.value) : "REAL";
  }
  return "";
}

std::vector<int64_t> integer_list(SpecArgs& args, const std::string& key) {
  std::vector<int64_t> out;
  for (double d : args.get_list(key, {})) {
    if (d != std::floor(d)) throw SpecError(args.context() + ": " + key + " must hold integers");
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

std::string chosen(SpecArgs& args, const ScheduleArgDef& def) {
  const std::string v = args.get_string(def.name, def.choices[0]);
  for (const auto& c : def.choices)
    if (v == c) return v;
  throw SpecError(args.context() + ": " + def.name + "=" + v + " is not valid (expected one of " +
                  join(def.choices, ", ") + ")");
}

// One number for every group, or a list with one per group: "0.001", "[0.001,0.0001]" or an array
// item by item. SpecArgs answers only by type, so an array shows itself by refusing get_string.
std::vector<double> number_or_list(SpecArgs& args, const std::string& key, double fallback) {
  if (args.is_list(key)) return args.get_list(key, {});
  return {args.get_double(key, fallback)};
}

ScheduleArgs::Value read_value(const ScheduleArgDef& def, SpecArgs& args) {
  switch (def.kind) {
    case Kind::Real:
      return args.get_double(def.name, def.value);
    case Kind::Integer:
      return args.get_int(def.name, static_cast<int64_t>(def.value));
    case Kind::Bool:
      return args.get_bool(def.name, def.value != 0);
    case Kind::Choice:
      return chosen(args, def);
    case Kind::Integers:
      return integer_list(args, def.name);
    case Kind::Reals:
      return args.get_list(def.name, {});
    case Kind::RealOrReals:
      return number_or_list(args, def.name, def.value);
    case Kind::Schedules:
      return args.get_spec_list(def.name, "schedule");
  }
  throw std::logic_error("schedule argument '" + def.name + "': unknown kind");
}

}  // namespace

ScheduleArgDef ScheduleArgDef::required() const {
  ScheduleArgDef def = *this;
  def.presence = Presence::Required;
  return def;
}

ScheduleArgDef ScheduleArgDef::optional(std::string note) const {
  ScheduleArgDef def = *this;
  def.presence = Presence::Optional;
  def.note = std::move(note);
  return def;
}

ScheduleArgDef ScheduleArgDef::within(std::string accepted) const {
  ScheduleArgDef def = *this;
  def.range = std::move(accepted);
  return def;
}

std::string ScheduleArgDef::usage() const {
  std::vector<std::string> notes;
  if (presence == Presence::Required) notes.push_back("required");
  if (presence == Presence::Optional) notes.push_back(note);
  if (!range.empty()) notes.push_back(range);
  return name + "=" + value_text(*this) + (notes.empty() ? "" : " (" + join(notes, ", ") + ")");
}

namespace arg {
ScheduleArgDef real(const std::string& name, double value) {
  return declare(name, Kind::Real, value, Presence::Default);
}
ScheduleArgDef integer(const std::string& name, int64_t value) {
  return declare(name, Kind::Integer, static_cast<double>(value), Presence::Default);
}
ScheduleArgDef flag(const std::string& name, bool value) {
  return declare(name, Kind::Bool, value ? 1 : 0, Presence::Default);
}
ScheduleArgDef choice(const std::string& name, std::vector<std::string> choices) {
  ScheduleArgDef def = declare(name, Kind::Choice, 0, Presence::Default);
  def.choices = std::move(choices);
  return def;
}
ScheduleArgDef integers(const std::string& name) {
  return declare(name, Kind::Integers, 0, Presence::Default);
}
ScheduleArgDef reals(const std::string& name) {
  return declare(name, Kind::Reals, 0, Presence::Default);
}
ScheduleArgDef real_or_reals(const std::string& name, double value) {
  return declare(name, Kind::RealOrReals, value, Presence::Default);
}
ScheduleArgDef schedules(const std::string& name) {
  return declare(name, Kind::Schedules, 0, Presence::Default);
}
}  // namespace arg

void ScheduleArgs::set(const std::string& name, Value value, bool given) {
  values_[name] = {std::move(value), given};
}

template <class T>
const T& ScheduleArgs::get(const std::string& name) const {
  const auto it = values_.find(name);
  const T* value = it == values_.end() ? nullptr : std::get_if<T>(&it->second.value);
  if (!value)
    throw std::logic_error(context_ + ": argument '" + name + "' is not declared with this kind");
  return *value;
}

double ScheduleArgs::real(const std::string& name) const { return get<double>(name); }
int64_t ScheduleArgs::integer(const std::string& name) const { return get<int64_t>(name); }
bool ScheduleArgs::flag(const std::string& name) const { return get<bool>(name); }
const std::string& ScheduleArgs::choice(const std::string& name) const {
  return get<std::string>(name);
}
const std::vector<int64_t>& ScheduleArgs::integers(const std::string& name) const {
  return get<std::vector<int64_t>>(name);
}
const std::vector<double>& ScheduleArgs::reals(const std::string& name) const {
  return get<std::vector<double>>(name);
}
const std::vector<std::string>& ScheduleArgs::schedules(const std::string& name) const {
  return get<std::vector<std::string>>(name);
}

void ScheduleArgs::fail(const std::string& message) const {
  throw SpecError(context_ + ": " + message);
}

bool ScheduleArgs::given(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end())
    throw std::logic_error(context_ + ": argument '" + name + "' is not declared");
  return it->second.given;
}

ScheduleArgs read_schedule_args(const std::vector<ScheduleArgDef>& defs, SpecArgs& args) {
  // Required keys first: a missing one is reported before any other value is read.
  for (const auto& def : defs)
    if (def.presence == Presence::Required && !args.has(def.name))
      throw SpecError(args.context() + ": missing required key '" + def.name + "'");
  ScheduleArgs out(args.context());
  for (const auto& def : defs) out.set(def.name, read_value(def, args), args.has(def.name));
  return out;
}

}  // namespace descent
