#pragma once
// What a sweep varies: grid axes (every listed value) and random axes (a distribution sampled per
// trial), each over one configuration key ("optimizer.lr", "optimizer.name", "train.batch_size").
//   --grid    key=v1,v2,...                  commas inside brackets or parentheses do not split
//   --random  key=uniform(lo,hi)             lo <= x < hi
//             key=loguniform(lo,hi)          log x uniform, 0 < lo < hi
//             key=int(lo,hi)                 an integer lo..hi, both included
//             key=choice(a,b,...)            one of the values, each as likely
// The configurations are the grid's combinations (the first axis varies slowest), each crossed
// with `trials` random draws; every combination shares the same draws, so a sweep over
// optimizer.name compares the optimizers on the same sampled values.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace descent::sweep {

struct Axis {
  enum class Kind { Grid, Uniform, LogUniform, Int, Choice };
  std::string key;
  Kind kind = Kind::Grid;
  std::vector<std::string> values;  // Grid and Choice: the values as given
  double lo = 0, hi = 0;            // Uniform, LogUniform, Int
  std::string text;                 // as the command gave it, "key=..."

  bool random() const { return kind != Kind::Grid; }
  // Whether every value is a number (the report draws numeric axes as curves), and whether they
  // spread over orders of magnitude (drawn on a log axis).
  bool numeric() const;
  bool logarithmic() const;
};

// Throw std::invalid_argument naming the text and what was expected.
Axis parse_grid_axis(const std::string& text);
Axis parse_random_axis(const std::string& text);

// One configuration: (key, value as text) for every axis, in axis order.
using Assignment = std::vector<std::pair<std::string, std::string>>;

struct SearchSpace {
  std::vector<Axis> axes;  // grid axes first, then random ones, each in the order given
  int64_t trials = 1;      // random draws (with random axes)
};

// Every configuration, as the file comment orders them; the draws come from Generator(seed), so the
// same space and seed give the same configurations. Throws std::invalid_argument when a key is
// given twice or there are more than `limit` configurations.
std::vector<Assignment> configurations(const SearchSpace& space, uint64_t seed,
                                       int64_t limit = 100000);

// A sampled number as text: 4 significant digits ("0.003162"), integers as integers.
std::string sampled_text(double value);

}  // namespace descent::sweep
