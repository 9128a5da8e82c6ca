#include "descent/experiments/experiment.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "descent/io/atomic_file.h"
#include "descent/plot/palette.h"
#include "descent/util/console.h"
#include "descent/util/excerpt.h"
#include "descent/util/number_text.h"
#include "descent/util/suggest.h"

namespace descent::experiments {
namespace {

const char* kind_text(Param::Kind kind) {
  switch (kind) {
    case Param::Kind::Number:
      return "a number";
    case Param::Kind::Integer:
      return "an integer";
    case Param::Kind::Numbers:
      return "a list of numbers, e.g. 0.01,0.1,1";
    case Param::Kind::Integers:
      return "a list of integers, e.g. 1,4,16";
    case Param::Kind::Text:
      return "a word";
  }
  return "";
}

// The whole text as one finite number, or false.
bool parse_number(const std::string& text, double& out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return false;
  size_t used = 0;
  try {
    out = std::stod(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == text.size() && std::isfinite(out);
}

bool parse_integer(const std::string& text, int64_t& out) {
  double v = 0;
  if (!parse_number(text, v) || v != std::floor(v) || std::fabs(v) > 9.0e15) return false;
  out = static_cast<int64_t>(v);
  return true;
}

// "1,2,4" or "[1, 2, 4]" -> its items, trimmed.
std::vector<std::string> list_items(std::string text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const size_t b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
    items.push_back(b == std::string::npos ? "" : item.substr(b, e - b + 1));
  }
  return items;
}

// Whether `value` is a valid `kind`.
bool valid(Param::Kind kind, const std::string& value) {
  double d = 0;
  int64_t i = 0;
  switch (kind) {
    case Param::Kind::Number:
      return parse_number(value, d);
    case Param::Kind::Integer:
      return parse_integer(value, i);
    case Param::Kind::Numbers:
    case Param::Kind::Integers: {
      const std::vector<std::string> items = list_items(value);
      if (items.empty()) return false;
      for (const std::string& item : items)
        if (kind == Param::Kind::Numbers ? !parse_number(item, d) : !parse_integer(item, i))
          return false;
      return true;
    }
    case Param::Kind::Text:
      return !value.empty();
  }
  return false;
}

}  // namespace

Params::Params(const std::vector<Param>& declared, bool quick,
               const std::vector<std::string>& overrides)
    : params_(declared) {
  for (const Param& p : params_) values_[p.key] = quick ? p.quick : p.full;
  std::vector<std::string> keys;
  for (const Param& p : params_) keys.push_back(p.key);
  for (const std::string& item : overrides) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::invalid_argument("--set '" + excerpt(item) + "': expected KEY=VALUE");
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (!values_.count(key)) {
      std::string known;
      for (const std::string& k : keys) {
        if (!known.empty()) known += ", ";
        known += k;
      }
      throw std::invalid_argument("--set " + excerpt(key) + ": not a setting of this experiment" +
                                  did_you_mean(key, keys) +
                                  (known.empty() ? " (it has none)" : "; its settings: " + known));
    }
    values_[key] = value;
  }
  for (const Param& p : params_)
    if (!valid(p.kind, values_[p.key]))
      throw std::invalid_argument(p.key + " = '" + excerpt(values_[p.key]) + "': expected " +
                                  kind_text(p.kind));
}

const Param& Params::declared(const std::string& key) const {
  for (const Param& p : params_)
    if (p.key == key) return p;
  throw std::logic_error("experiment parameter '" + key + "' is not declared");
}

double Params::number(const std::string& key) const {
  declared(key);
  double v = 0;
  parse_number(values_.at(key), v);
  return v;
}

int64_t Params::integer(const std::string& key) const {
  if (declared(key).kind != Param::Kind::Integer)
    throw std::logic_error("experiment parameter '" + key + "' is not an integer");
  int64_t v = 0;
  parse_integer(values_.at(key), v);
  return v;
}

std::vector<double> Params::numbers(const std::string& key) const {
  declared(key);
  std::vector<double> out;
  for (const std::string& item : list_items(values_.at(key))) {
    double v = 0;
    parse_number(item, v);
    out.push_back(v);
  }
  return out;
}

std::vector<int64_t> Params::integers(const std::string& key) const {
  if (declared(key).kind != Param::Kind::Integers)
    throw std::logic_error("experiment parameter '" + key + "' is not a list of integers");
  std::vector<int64_t> out;
  for (const std::string& item : list_items(values_.at(key))) {
    int64_t v = 0;
    parse_integer(item, v);
    out.push_back(v);
  }
  return out;
}

const std::string& Params::text(const std::string& key) const {
  declared(key);
  return values_.at(key);
}

nlohmann::json Params::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  for (const Param& p : params_) {
    switch (p.kind) {
      case Param::Kind::Number:
        out[p.key] = number(p.key);
        break;
      case Param::Kind::Integer:
        out[p.key] = integer(p.key);
        break;
      case Param::Kind::Numbers:
        out[p.key] = numbers(p.key);
        break;
      case Param::Kind::Integers:
        out[p.key] = integers(p.key);
        break;
      case Param::Kind::Text:
        out[p.key] = text(p.key);
        break;
    }
  }
  return out;
}

Context::Context(std::filesystem::path dir, bool quick, uint64_t seed, Params params)
    : dir_(std::move(dir)), quick_(quick), seed_(seed), params_(std::move(params)) {}

void Context::write_csv(const std::string& file, const std::vector<std::string>& header,
                        const std::vector<std::vector<double>>& rows) {
  std::string text;
  for (size_t c = 0; c < header.size(); ++c) {
    if (c) text += ',';
    text += header[c];
  }
  text += '\n';
  for (const std::vector<double>& row : rows) {
    if (row.size() != header.size())
      throw std::logic_error(file + ": a row of " + std::to_string(row.size()) + " values under " +
                             std::to_string(header.size()) + " columns");
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) text += ',';
      text += shortest_text(row[c]);
    }
    text += '\n';
  }
  write_file_atomically(dir_ / file, text);
  files_.push_back(file);
}

void Context::write_json(const std::string& file, const nlohmann::json& value) {
  write_file_atomically(dir_ / file, value.dump(1) + "\n");
  files_.push_back(file);
}

void Context::add_text(const std::string& heading, const std::string& text) {
  sections_.push_back({heading, text, {}, {}});
}

void Context::add_figure(const plot::Figure& figure, const std::string& caption) {
  if (sections_.empty()) sections_.push_back({});
  sections_.back().figures.push_back(figure);
  sections_.back().captions.push_back(caption);
}

std::string number_text(double v) {
  char s[32];
  std::snprintf(s, sizeof s, "%g", v);
  return s;
}

plot::Series line(const std::string& name, const std::string& color_key) {
  plot::Series s;
  s.name = name;
  s.color_key = color_key.empty() ? name : color_key;
  return s;
}

std::vector<plot::Series> lines(const std::vector<std::string>& names) {
  const std::vector<std::string> keys = plot::distinct_color_keys(names);
  std::vector<plot::Series> out;
  for (size_t k = 0; k < names.size(); ++k) out.push_back(line(names[k], keys[k]));
  return out;
}

void Context::progress(const std::string& line) const {
  if (verbosity() == Verbosity::Verbose) std::printf("  %s\n", line.c_str());
}

}  // namespace descent::experiments
