#pragma once
// The losses train.loss names, one row each: the name, the PyTorch module it matches, what its
// targets are, and its options with their defaults and accepted values. The row is the one place
// an option is declared: parsing a SPEC ("cross_entropy:label_smoothing=0.1,weight=[1,2,1]"), the
// messages for unknown options and bad values, `descent train --list losses` and the check that
// docs/losses.md describes every option all read it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "descent/nn/loss.h"

namespace descent {

// What a loss compares the model's outputs with.
enum class LossTargets {
  ClassIndices,  // one class index per example (accuracy is meaningful)
  PerOutput,     // one value per output; class labels become one-hot rows
  Signs,         // one value per output, each 1 or -1 (regression data only)
};

enum class LossOptionKind {
  Real,        // 0.1
  Flag,        // true, false
  Choice,      // one of `choices` ("mean", "sum"; p's "1", "2")
  PerClass,    // [1, 2, 1]: one number per class
  RealOrList,  // 2, or [1, 2, 1]: one number for every output or one per output
};

struct LossOptionDef {
  std::string name;
  LossOptionKind kind = LossOptionKind::Real;
  std::string fallback;  // the default as written in a SPEC; "" for a list: none (all ones)
  // Real, PerClass, RealOrList: each number must be >= min (> min when min_open) and <= max.
  double min = -1e308;
  bool min_open = false;
  double max = 1e308;
  std::vector<std::string> choices;  // Choice
  std::string meaning;               // one line, for listings

  // What a value must be, for messages and listings: "a number in [0, 1]", "mean or sum".
  std::string accepted() const;
};

// The options' values as read from a SPEC, the defaults filled in.
struct LossOptions {
  std::map<std::string, double> reals;               // Real (and Choice p as a number)
  std::map<std::string, bool> flags;                 // Flag
  std::map<std::string, std::string> choices;        // Choice, as written
  std::map<std::string, std::vector<double>> lists;  // PerClass, RealOrList (empty: default)

  double real(const std::string& name) const { return reals.at(name); }
  bool flag(const std::string& name) const { return flags.at(name); }
  const std::string& choice(const std::string& name) const { return choices.at(name); }
  const std::vector<double>& list(const std::string& name) const { return lists.at(name); }
  Reduction reduction() const;
};

struct LossInfo {
  std::string name;     // as train.loss spells it
  std::string pytorch;  // the PyTorch module it matches, "torch.nn.CrossEntropyLoss"
  LossTargets targets = LossTargets::PerOutput;
  std::vector<LossOptionDef> options;
  std::string summary;  // one line, for listings
  LossFunction (*make)(const LossOptions&) = nullptr;
};

const std::vector<LossInfo>& loss_table();

// A train.loss SPEC read against the table: its row, its options (defaults filled in) and which
// options the SPEC gave.
struct LossSpec {
  const LossInfo* info = nullptr;
  LossOptions options;
  std::vector<std::string> given;

  LossFunction make() const { return info->make(options); }
};

// Throws SpecError: "unknown loss 'hinge' (valid: ...)", "cross_entropy has no option 'smothing';
// its options are label_smoothing, weight, reduction", "label_smoothing=1.5 is not valid for
// cross_entropy (expected a number in [0, 1])".
LossSpec parse_loss(const std::string& spec);

// The table's row for the SPEC's name, or nullptr; reads no options.
const LossInfo* find_loss(const std::string& spec);

// Checks the options that depend on the model's number of outputs (classes): a per-class weight
// must have one value per output, pos_weight one or one per output. Throws SpecError naming the
// option, its value and the count expected.
void check_loss_outputs(const LossSpec& loss, int64_t outputs);

}  // namespace descent
