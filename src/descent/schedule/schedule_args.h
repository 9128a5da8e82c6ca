#pragma once
// The arguments a schedule family takes from a SPEC or a config table: each family declares them
// (name, kind, default or required, accepted range) next to its class, and read_schedule_args
// turns the given SpecArgs into typed values with the declared defaults filled in. The declarations
// are the one place a default lives: `descent schedule --list` prints them too.
// Ranges are shown, not checked here: the constructors check their values (C++ callers included).
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace descent {

class SpecArgs;

enum class ScheduleArgKind {
  Real,         // 0.5
  Integer,      // 30
  Bool,         // true, false
  Choice,       // one of the declared names
  Integers,     // [30,60,90]
  Reals,        // [0.1,0.05]
  RealOrReals,  // 0.001, or one per parameter group [0.001,0.0001]
  Schedules,    // [SPEC;SPEC;...], the parts of a composition
};

struct ScheduleArgDef {
  enum class Presence { Default, Required, Optional };

  std::string name;
  ScheduleArgKind kind = ScheduleArgKind::Real;
  Presence presence = Presence::Default;
  double value = 0;                  // the default of a Real, Integer, Bool or RealOrReals
  std::vector<std::string> choices;  // Choice: the accepted names, the first is the default
  std::string note;                  // Optional: what leaving it out means, or what to give instead
  std::string range;                 // the accepted values in words (">= 1"), for listings

  ScheduleArgDef required() const;                    // absent: "missing required key"
  ScheduleArgDef optional(std::string note) const;    // no default; the family decides
  ScheduleArgDef within(std::string accepted) const;  // sets range
  // For listings: "gamma=0.1", "t_max=INT (required, >= 1)", "base_lr=REAL (default: ...)".
  std::string usage() const;
};

// Declarations, with the default where the argument has one.
namespace arg {
ScheduleArgDef real(const std::string& name, double value = 0);
ScheduleArgDef integer(const std::string& name, int64_t value = 0);
ScheduleArgDef flag(const std::string& name, bool value);
ScheduleArgDef choice(const std::string& name, std::vector<std::string> choices);
ScheduleArgDef integers(const std::string& name);
ScheduleArgDef reals(const std::string& name);
ScheduleArgDef real_or_reals(const std::string& name, double value);
ScheduleArgDef schedules(const std::string& name);
}  // namespace arg

// The declared arguments' values: what was given, else the default (0 or empty for an Optional
// one; given() tells). Asking for an undeclared name or the wrong kind is a programming error
// (std::logic_error).
class ScheduleArgs {
 public:
  using Value = std::variant<double, int64_t, bool, std::string, std::vector<int64_t>,
                             std::vector<double>, std::vector<std::string>>;

  explicit ScheduleArgs(std::string context) : context_(std::move(context)) {}
  void set(const std::string& name, Value value, bool given);

  double real(const std::string& name) const;
  int64_t integer(const std::string& name) const;
  bool flag(const std::string& name) const;
  const std::string& choice(const std::string& name) const;
  const std::vector<int64_t>& integers(const std::string& name) const;
  // Reals and RealOrReals (a single number comes back as a list of one).
  const std::vector<double>& reals(const std::string& name) const;
  // The parts of a composition, each a SPEC string.
  const std::vector<std::string>& schedules(const std::string& name) const;
  bool given(const std::string& name) const;  // written in the SPEC or table

  // The context of messages, e.g. "schedule 'cosine:t_max=3'".
  const std::string& context() const { return context_; }
  // Throws SpecError "<context>: <message>", for a family's checks across arguments.
  [[noreturn]] void fail(const std::string& message) const;

 private:
  struct Entry {
    Value value;
    bool given = false;
  };
  template <class T>
  const T& get(const std::string& name) const;

  std::string context_;
  std::map<std::string, Entry> values_;
};

// Reads every declared argument from args in declaration order, after checking that the required
// ones are there; throws SpecError naming args.context() for a missing or malformed value. Keys
// args holds beyond the declared ones are left for args.finish() to reject.
ScheduleArgs read_schedule_args(const std::vector<ScheduleArgDef>& defs, SpecArgs& args);

}  // namespace descent
