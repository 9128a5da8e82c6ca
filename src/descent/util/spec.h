#pragma once
// SPEC strings name a component and its arguments: "name" or "name:key=value,key=value", with
// lists in brackets ("milestones=[30,60,90]"). Layers, optimizers and schedules all use them.
// SpecArgs hands out typed values and remembers which keys were asked for, so finish() can reject
// a misspelt key with the list of accepted ones.
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace descent {

class SpecError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A name that is not known: a component's (optimizer, schedule, loss, layer, transform, test
// function) or a key's. Still a SpecError; the Python module raises KeyError for it.
class UnknownNameError : public SpecError {
 public:
  using SpecError::SpecError;
};

// `message` (the cause's, with more context) as an error of the cause's kind.
[[noreturn]] void throw_spec_error(const SpecError& cause, const std::string& message);

struct Spec {
  std::string name;
  std::map<std::string, std::string> args;  // raw text values
};

// One argument's value. From a SPEC string it is the text as written ("0.5", "[30,60]",
// "[linear:total_iters=5;cosine:t_max=95]"), read by the getter that knows the type. From a TOML
// table it is a scalar's text, or an array's items each as written: a value is never joined into
// a SPEC and read back, so "2,gamma=0.5" stays one (bad) value instead of two arguments.
struct SpecValue {
  SpecValue(std::string text = "") : text(std::move(text)) {}
  static SpecValue list(std::vector<std::string> items);

  std::string text;                // a scalar, or a bracket list as written in a SPEC
  std::vector<std::string> items;  // an array given item by item (is_list)
  bool is_list = false;

  std::string display() const;  // as a message quotes it: the text, or "[a, b]"
};

// Brackets nest at most this deep in a SPEC: compositions of compositions are built recursively,
// so an unbounded depth would overflow the stack (and cost memory quadratic in the depth).
constexpr int kMaxSpecDepth = 16;

// Throws SpecError naming the text (cut short when long), also when brackets nest deeper than
// kMaxSpecDepth.
Spec parse_spec(const std::string& text);

class SpecArgs {
 public:
  // context names the thing in messages, e.g. "layer 'linear:out=256'" or "optimizer 'adam'".
  SpecArgs(std::string context, const std::map<std::string, std::string>& args);
  SpecArgs(std::string context, std::map<std::string, SpecValue> args);

  double get_double(const std::string& key, double fallback);
  int64_t get_int(const std::string& key, int64_t fallback);
  bool get_bool(const std::string& key, bool fallback);
  std::string get_string(const std::string& key, const std::string& fallback);
  std::vector<double> get_list(const std::string& key, const std::vector<double>& fallback);
  // A list of SPECs, "[a;b;c]" (split on ';' outside nested brackets) or an array of strings;
  // empty when absent. `what` names an entry in messages ("an empty schedule in ...").
  std::vector<std::string> get_spec_list(const std::string& key, const std::string& what);
  bool has(const std::string& key) const { return args_.count(key) > 0; }
  // Whether the value is a list: an array given item by item, or text in brackets.
  bool is_list(const std::string& key) const;

  // Throws SpecError if any given key was never asked for, listing the accepted keys.
  void finish() const;
  const std::string& context() const { return context_; }

 private:
  const SpecValue* lookup(const std::string& key);
  const std::string* lookup_scalar(const std::string& key, const char* expected);
  [[noreturn]] void bad_value(const std::string& key, const std::string& value,
                              const char* expected) const;

  std::string context_;
  std::map<std::string, SpecValue> args_;
  std::set<std::string> accepted_;
};

}  // namespace descent
