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

struct Spec {
  std::string name;
  std::map<std::string, std::string> args;  // raw text values
};

Spec parse_spec(const std::string& text);  // throws SpecError naming the text

class SpecArgs {
 public:
  // context names the thing in messages, e.g. "layer 'linear:out=256'" or "optimizer 'adam'".
  SpecArgs(std::string context, std::map<std::string, std::string> args);

  double get_double(const std::string& key, double fallback);
  int64_t get_int(const std::string& key, int64_t fallback);
  bool get_bool(const std::string& key, bool fallback);
  std::string get_string(const std::string& key, const std::string& fallback);
  std::vector<double> get_list(const std::string& key, const std::vector<double>& fallback);
  bool has(const std::string& key) const { return args_.count(key) > 0; }

  // Throws SpecError if any given key was never asked for, listing the accepted keys.
  void finish() const;
  const std::string& context() const { return context_; }

 private:
  const std::string* lookup(const std::string& key);
  [[noreturn]] void bad_value(const std::string& key, const std::string& value,
                              const char* expected) const;

  std::string context_;
  std::map<std::string, std::string> args_;
  std::set<std::string> accepted_;
};

}  // namespace descent
