#include "descent/util/spec.h"

#include <charconv>
#include <cmath>

#include "descent/util/excerpt.h"

namespace descent {
namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

bool parse_number(const std::string& text, double& out) {
  const std::string t = trim(text);
  if (t.empty()) return false;
  const char* first = t.data();
  if (*first == '+') {
    ++first;  // from_chars takes no '+'; skipping one must not let "+-3" through
    if (first == t.data() + t.size() || *first == '-') return false;
  }
  auto [ptr, ec] = std::from_chars(first, t.data() + t.size(), out);
  return ec == std::errc() && ptr == t.data() + t.size();
}

}  // namespace

Spec parse_spec(const std::string& text) {
  Spec spec;
  const std::string quoted = "'" + excerpt(text) + "'";  // messages quote a long SPEC cut short
  const size_t colon = text.find(':');
  spec.name = trim(text.substr(0, colon));
  if (spec.name.empty()) throw SpecError(quoted + ": missing a name before ':'");
  // Names are identifiers; anything else ("[", "lin ear") is a typo, not an unknown component.
  if (spec.name.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != std::string::npos)
    throw SpecError(quoted + ": name '" + excerpt(spec.name) +
                    "' may only hold letters, digits, '_', '-' and '.'");
  if (colon == std::string::npos) return spec;
  const std::string rest = text.substr(colon + 1);
  if (trim(rest).empty()) return spec;  // "name:" has no arguments
  // Split on commas outside brackets.
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  for (char c : rest) {
    if (c == '[' || c == '(') ++depth;  // a list, or a tuple as PyTorch writes betas
    if (c == ']' || c == ')') --depth;
    if (depth < 0) throw SpecError(quoted + ": unbalanced '" + c + "'");
    if (depth > kMaxSpecDepth)
      throw SpecError(quoted + ": brackets nest deeper than " + std::to_string(kMaxSpecDepth) +
                      " levels (compositions of compositions go at most that deep)");
    if (c == ',' && depth == 0) {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (depth != 0) throw SpecError(quoted + ": unbalanced '[' or '('");
  parts.push_back(current);
  for (const std::string& part : parts) {
    // A stray comma usually means a lost argument, so it is not skipped silently.
    if (trim(part).empty()) throw SpecError(quoted + ": empty argument (stray ',')");
    const size_t eq = part.find('=');
    if (eq == std::string::npos)
      throw SpecError(quoted + ": argument '" + excerpt(trim(part)) + "' is not key=value");
    const std::string key = trim(part.substr(0, eq));
    if (key.empty()) throw SpecError(quoted + ": an argument has no key");
    if (spec.args.count(key)) throw SpecError(quoted + ": key '" + excerpt(key) + "' given twice");
    spec.args[key] = trim(part.substr(eq + 1));
  }
  return spec;
}

SpecValue SpecValue::list(std::vector<std::string> items) {
  SpecValue v;
  v.items = std::move(items);
  v.is_list = true;
  return v;
}

std::string SpecValue::display() const {
  if (!is_list) return text;
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

SpecArgs::SpecArgs(std::string context, const std::map<std::string, std::string>& args)
    : context_(std::move(context)) {
  for (const auto& [key, text] : args) args_.emplace(key, SpecValue(text));
}

SpecArgs::SpecArgs(std::string context, std::map<std::string, SpecValue> args)
    : context_(std::move(context)), args_(std::move(args)) {}

const SpecValue* SpecArgs::lookup(const std::string& key) {
  accepted_.insert(key);
  auto it = args_.find(key);
  return it == args_.end() ? nullptr : &it->second;
}

// A scalar's text; an array where a scalar is expected is a bad value.
const std::string* SpecArgs::lookup_scalar(const std::string& key, const char* expected) {
  const SpecValue* v = lookup(key);
  if (v && v->is_list) bad_value(key, v->display(), expected);
  return v ? &v->text : nullptr;
}

void SpecArgs::bad_value(const std::string& key, const std::string& value,
                         const char* expected) const {
  throw SpecError(context_ + ": " + key + "=" + excerpt(value) + " is not valid (expected " +
                  expected + ")");
}

double SpecArgs::get_double(const std::string& key, double fallback) {
  const std::string* v = lookup_scalar(key, "a finite number");
  if (!v) return fallback;
  double d;
  if (!parse_number(*v, d) || !std::isfinite(d)) bad_value(key, *v, "a finite number");
  return d;
}

int64_t SpecArgs::get_int(const std::string& key, int64_t fallback) {
  const std::string* v = lookup_scalar(key, "an integer");
  if (!v) return fallback;
  double d;
  if (!parse_number(*v, d) || d != std::floor(d) || std::fabs(d) > 9.0e15)
    bad_value(key, *v, "an integer");
  return static_cast<int64_t>(d);
}

bool SpecArgs::get_bool(const std::string& key, bool fallback) {
  const std::string* v = lookup_scalar(key, "true or false");
  if (!v) return fallback;
  if (*v == "true") return true;
  if (*v == "false") return false;
  bad_value(key, *v, "true or false");
}

std::string SpecArgs::get_string(const std::string& key, const std::string& fallback) {
  const std::string* v = lookup_scalar(key, "a single value, not a list");
  return v ? *v : fallback;
}

std::vector<double> SpecArgs::get_list(const std::string& key,
                                       const std::vector<double>& fallback) {
  const SpecValue* value = lookup(key);
  if (!value) return fallback;
  if (value->is_list) {
    std::vector<double> out;
    for (const std::string& item : value->items) {
      double d;
      if (!parse_number(item, d) || !std::isfinite(d))
        bad_value(key, value->display(), "a list of finite numbers, e.g. [30,60,90]");
      out.push_back(d);
    }
    return out;
  }
  const std::string* v = &value->text;
  std::string body = trim(*v);
  if (body.size() < 2 || body.front() != '[' || body.back() != ']')
    bad_value(key, *v, "a list in brackets, e.g. [30,60,90]");
  body = body.substr(1, body.size() - 2);
  std::vector<double> out;
  size_t start = 0;
  while (start <= body.size() && !trim(body).empty()) {
    const size_t comma = body.find(',', start);
    const std::string item =
        body.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    double d;
    if (!parse_number(item, d) || !std::isfinite(d))
      bad_value(key, *v, "a list of finite numbers, e.g. [30,60,90]");
    out.push_back(d);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool SpecArgs::is_list(const std::string& key) const {
  auto it = args_.find(key);
  if (it == args_.end()) return false;
  return it->second.is_list || trim(it->second.text).rfind('[', 0) == 0;
}

std::vector<std::string> SpecArgs::get_spec_list(const std::string& key, const std::string& what) {
  const SpecValue* value = lookup(key);
  if (!value) return {};
  std::vector<std::string> parts;
  if (value->is_list) {
    for (const std::string& item : value->items) parts.push_back(trim(item));
  } else {
    const std::string t = trim(value->text);
    if (t.size() < 2 || t.front() != '[' || t.back() != ']')
      bad_value(key, value->text,
                "a list in brackets, e.g. [linear:total_iters=5;cosine:t_max=95]");
    // ';' splits only at the list's own depth, so SPECs of compositions nest.
    std::string current;
    int depth = 0;
    for (char c : t.substr(1, t.size() - 2)) {
      if (c == '[') ++depth;
      if (c == ']') --depth;
      if (c == ';' && depth == 0) {
        parts.push_back(trim(current));
        current.clear();
      } else {
        current += c;
      }
    }
    parts.push_back(trim(current));
  }
  for (const auto& p : parts)
    if (p.empty())
      throw SpecError(context_ + ": an empty " + what + " in " + key + "=" +
                      excerpt(value->display()));
  return parts;
}

void throw_spec_error(const SpecError& cause, const std::string& message) {
  if (dynamic_cast<const UnknownNameError*>(&cause)) throw UnknownNameError(message);
  throw SpecError(message);
}

void SpecArgs::finish() const {
  for (const auto& [key, value] : args_) {
    if (accepted_.count(key)) continue;
    std::string valid;
    for (const std::string& k : accepted_) valid += (valid.empty() ? "" : ", ") + k;
    throw UnknownNameError(
        context_ + ": unknown key '" + excerpt(key) + "'" +
        (valid.empty() ? " (it takes no arguments)" : " (valid keys: " + valid + ")"));
  }
}

}  // namespace descent
