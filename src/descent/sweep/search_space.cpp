#include "descent/sweep/search_space.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "descent/util/excerpt.h"
#include "descent/util/random.h"

namespace descent::sweep {
namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// "a,b,(c,d),[e,f]" -> a | b | (c,d) | [e,f]: commas inside brackets belong to the value.
std::vector<std::string> split_values(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  out.push_back(trim(current));
  return out;
}

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end && *end == '\0' && std::isfinite(value);
}

// "key=rest" -> key, rest; `option` names the flag in messages.
std::pair<std::string, std::string> split_key(const std::string& text, const char* option,
                                              const char* form) {
  const size_t eq = text.find('=');
  const std::string key = eq == std::string::npos ? "" : trim(text.substr(0, eq));
  if (key.empty() || eq + 1 >= text.size())
    throw std::invalid_argument(fmt::format("{} '{}': expected {}", option, excerpt(text), form));
  return {key, trim(text.substr(eq + 1))};
}

}  // namespace

bool Axis::numeric() const {
  if (kind == Kind::Uniform || kind == Kind::LogUniform || kind == Kind::Int) return true;
  double v = 0;
  for (const std::string& s : values)
    if (!parse_number(s, v)) return false;
  return !values.empty();
}

bool Axis::logarithmic() const {
  if (kind == Kind::LogUniform) return true;
  if (kind != Kind::Grid && kind != Kind::Choice) return false;
  if (!numeric()) return false;
  double lo = INFINITY, hi = 0, v = 0;
  for (const std::string& s : values) {
    parse_number(s, v);
    if (v <= 0) return false;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return hi / lo >= 20;
}

Axis parse_grid_axis(const std::string& text) {
  const auto [key, rest] = split_key(text, "--grid", "KEY=V1,V2,... (e.g. optimizer.lr=0.1,0.01)");
  Axis axis{key, Axis::Kind::Grid, split_values(rest), 0, 0, text};
  std::set<std::string> seen;
  for (const std::string& v : axis.values) {
    if (v.empty())
      throw std::invalid_argument(
          fmt::format("--grid '{}': an empty value in the list", excerpt(text)));
    if (!seen.insert(v).second)
      throw std::invalid_argument(
          fmt::format("--grid '{}': the value '{}' is listed twice", excerpt(text), excerpt(v)));
  }
  return axis;
}

Axis parse_random_axis(const std::string& text) {
  const char* form =
      "KEY=uniform(LO,HI), loguniform(LO,HI), int(LO,HI) or choice(A,B,...), e.g. "
      "optimizer.lr=loguniform(1e-5,1e-1)";
  const auto [key, rest] = split_key(text, "--random", form);
  const size_t open = rest.find('(');
  if (open == std::string::npos || rest.back() != ')')
    throw std::invalid_argument(fmt::format("--random '{}': expected {}", excerpt(text), form));
  const std::string name = trim(rest.substr(0, open));
  const std::vector<std::string> args = split_values(rest.substr(open + 1, rest.size() - open - 2));
  Axis axis;
  axis.key = key;
  axis.text = text;
  if (name == "choice") {
    axis.kind = Axis::Kind::Choice;
    axis.values = args;
    for (const std::string& v : args)
      if (v.empty())
        throw std::invalid_argument(
            fmt::format("--random '{}': choice() has an empty value", excerpt(text)));
    return axis;
  }
  if (name == "uniform")
    axis.kind = Axis::Kind::Uniform;
  else if (name == "loguniform")
    axis.kind = Axis::Kind::LogUniform;
  else if (name == "int")
    axis.kind = Axis::Kind::Int;
  else
    throw std::invalid_argument(fmt::format(
        "--random '{}': unknown distribution '{}'; expected uniform, loguniform, int or choice",
        excerpt(text), excerpt(name)));
  if (args.size() != 2 || !parse_number(args[0], axis.lo) || !parse_number(args[1], axis.hi))
    throw std::invalid_argument(
        fmt::format("--random '{}': {}() takes two numbers, LO and HI", excerpt(text), name));
  if (!(axis.lo < axis.hi) && !(axis.kind == Axis::Kind::Int && axis.lo == axis.hi))
    throw std::invalid_argument(fmt::format("--random '{}': LO must be below HI", excerpt(text)));
  if (axis.kind == Axis::Kind::LogUniform && axis.lo <= 0)
    throw std::invalid_argument(
        fmt::format("--random '{}': loguniform needs 0 < LO < HI", excerpt(text)));
  if (axis.kind == Axis::Kind::Int &&
      (axis.lo != std::floor(axis.lo) || axis.hi != std::floor(axis.hi)))
    throw std::invalid_argument(
        fmt::format("--random '{}': int() takes whole numbers", excerpt(text)));
  return axis;
}

std::string sampled_text(double value) {
  if (value == std::round(value) && std::abs(value) < 1e15)
    return fmt::format("{}", static_cast<int64_t>(value));
  return fmt::format("{:.4g}", value);
}

std::vector<Assignment> configurations(const SearchSpace& space, uint64_t seed, int64_t limit) {
  std::set<std::string> keys;
  std::vector<const Axis*> grid, random;
  for (const Axis& axis : space.axes) {
    if (!keys.insert(axis.key).second)
      throw std::invalid_argument("the key '" + axis.key + "' is swept twice");
    (axis.random() ? random : grid).push_back(&axis);
  }
  const int64_t draws = random.empty() ? 1 : space.trials;
  if (draws < 1) throw std::invalid_argument("--trials must be at least 1");
  int64_t combinations = 1;
  for (const Axis* axis : grid) {
    combinations *= static_cast<int64_t>(axis->values.size());
    if (combinations * draws > limit)
      throw std::invalid_argument(fmt::format(
          "the sweep has more than {} configurations; narrow the grid or lower --trials", limit));
  }
  if (combinations * draws > limit)
    throw std::invalid_argument(fmt::format(
        "the sweep has more than {} configurations; narrow the grid or lower --trials", limit));

  // The random draws, one set per trial, shared by every grid combination.
  Generator gen(seed);
  std::vector<Assignment> drawn(static_cast<size_t>(draws));
  for (Assignment& a : drawn)
    for (const Axis* axis : random) {
      std::string value;
      switch (axis->kind) {
        case Axis::Kind::Uniform:
          value = sampled_text(axis->lo + (axis->hi - axis->lo) * gen.uniform());
          break;
        case Axis::Kind::LogUniform:
          value = sampled_text(std::exp(std::log(axis->lo) +
                                        (std::log(axis->hi) - std::log(axis->lo)) * gen.uniform()));
          break;
        case Axis::Kind::Int:
          value = sampled_text(axis->lo + static_cast<double>(gen.below(
                                              static_cast<uint64_t>(axis->hi - axis->lo) + 1)));
          break;
        default:  // Choice
          value = axis->values[gen.below(axis->values.size())];
      }
      a.emplace_back(axis->key, value);
    }

  std::vector<Assignment> out;
  for (int64_t c = 0; c < combinations; ++c) {
    Assignment base;
    int64_t rest = c;
    // The first axis varies slowest: peel indices off from the last axis.
    std::vector<size_t> index(grid.size());
    for (size_t i = grid.size(); i-- > 0;) {
      index[i] = static_cast<size_t>(rest % static_cast<int64_t>(grid[i]->values.size()));
      rest /= static_cast<int64_t>(grid[i]->values.size());
    }
    for (size_t i = 0; i < grid.size(); ++i)
      base.emplace_back(grid[i]->key, grid[i]->values[index[i]]);
    for (const Assignment& d : drawn) {
      Assignment a = base;
      a.insert(a.end(), d.begin(), d.end());
      out.push_back(std::move(a));
    }
  }
  return out;
}

}  // namespace descent::sweep
