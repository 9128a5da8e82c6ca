#pragma once
// An experiment: one claim of the lecture notes made to happen. Each lives in its own file in
// this folder as a function that measures, draws and says whether the measurement agrees with the
// claim; registry.cpp is the table of them, which `descent experiment --list`, the parameter
// checks and docs/experiments.md's parameter lists come from.
//
// A run writes into its directory: the data measured (CSV/JSON), result.json (the claim, the
// headline numbers, the parameters used, whether they agree), and the figures as one HTML page
// (NAME.html) plus a PNG of each figure with its data beside it (plot/export.h).
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/plot/figure.h"

namespace descent::experiments {

// One setting an experiment accepts through --set KEY=VALUE: its defaults in the full version and
// in the quick one (--quick), as text, and a line saying what it is.
struct Param {
  enum class Kind { Number, Integer, Numbers, Integers, Text };
  std::string key;
  Kind kind = Kind::Number;
  std::string full;   // the full version's default
  std::string quick;  // --quick's default
  std::string doc;
};

// The parameters of one run, checked against the experiment's Param list when made: an unknown
// key or a value of the wrong kind is refused (naming the key, the value and what was expected)
// before anything is written.
class Params {
 public:
  Params(const std::vector<Param>& declared, bool quick,
         const std::vector<std::string>& overrides);  // "key=value"
  double number(const std::string& key) const;
  int64_t integer(const std::string& key) const;
  std::vector<double> numbers(const std::string& key) const;  // "1,2,4" or "[1,2,4]"
  std::vector<int64_t> integers(const std::string& key) const;
  const std::string& text(const std::string& key) const;
  nlohmann::json to_json() const;  // every value, typed

 private:
  const Param& declared(const std::string& key) const;
  std::vector<Param> params_;
  std::map<std::string, std::string> values_;
};

// What an experiment works with, and where its outputs go.
class Context {
 public:
  Context(std::filesystem::path dir, bool quick, uint64_t seed, Params params);

  const std::filesystem::path& dir() const { return dir_; }
  bool quick() const { return quick_; }
  uint64_t seed() const { return seed_; }
  const Params& params() const { return params_; }

  // A data file in the run directory, written atomically. Rows are numbers; the header names
  // the columns.
  void write_csv(const std::string& file, const std::vector<std::string>& header,
                 const std::vector<std::vector<double>>& rows);
  void write_json(const std::string& file, const nlohmann::json& value);

  // Figures in the order added: each becomes NAME-<id>.png (with its data in a .json beside it)
  // and a section of the HTML page, under the given text.
  void add_text(const std::string& heading, const std::string& text);
  void add_figure(const plot::Figure& figure, const std::string& caption = "");

  // A line on the console while the experiment works (shown with -v).
  void progress(const std::string& line) const;

  struct Section {
    std::string heading, text;
    std::vector<plot::Figure> figures;
    std::vector<std::string> captions;
  };
  const std::vector<Section>& sections() const { return sections_; }
  const std::vector<std::string>& files() const { return files_; }

 private:
  std::filesystem::path dir_;
  bool quick_;
  uint64_t seed_;
  Params params_;
  std::vector<Section> sections_;
  std::vector<std::string> files_;
};

// What an experiment found: the headline numbers (result.json's "headline"), what was measured
// in words, and whether it agrees with the claim.
struct Outcome {
  nlohmann::json headline = nlohmann::json::object();
  std::string measured;
  bool agrees = false;
};

// A number as the experiments' printed lines and labels show it: printf's %g ("0.001", "1e+03").
std::string number_text(double v);

// A line for a chart, named (and coloured by its name unless a colour key is given).
plot::Series line(const std::string& name, const std::string& color_key = "");
// Lines drawn together, no two of one colour (plot/palette.h: distinct_color_keys).
std::vector<plot::Series> lines(const std::vector<std::string>& names);

struct Experiment {
  std::string name;   // e.g. "noise-ball"
  std::string shows;  // one line for --list
  std::string claim;  // the notes' claim, with its formula
  std::vector<Param> params;
  Outcome (*run)(Context& context) = nullptr;
};

}  // namespace descent::experiments
