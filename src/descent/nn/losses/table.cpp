// The table of losses train.loss names (nn/loss_table.h): each row declares its options once, and
// reading a SPEC, the messages and the listings follow it.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "descent/nn/loss.h"
#include "descent/nn/loss_table.h"
#include "descent/ops/ops.h"
#include "descent/util/number_text.h"
#include "descent/util/spec.h"
#include "descent/util/suggest.h"

namespace descent {
namespace {

std::string join(const std::vector<std::string>& items, const std::string& last = ", ") {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i)
    s += (i == 0 ? "" : i + 1 == items.size() ? last : ", ") + items[i];
  return s;
}

constexpr double kAny = 1e308;

// The declarations the rows are made of.
LossOptionDef option(std::string name, LossOptionKind kind, std::string fallback,
                     std::string meaning) {
  LossOptionDef d;
  d.name = std::move(name);
  d.kind = kind;
  d.fallback = std::move(fallback);
  d.meaning = std::move(meaning);
  return d;
}

LossOptionDef reduction_option(std::vector<std::string> choices = {"mean", "sum"}) {
  LossOptionDef d = option("reduction", LossOptionKind::Choice, choices[0],
                           "how the per-element losses become one number");
  d.choices = std::move(choices);
  return d;
}

// A number, or a list of numbers (kind), each in [min, max] ((min, max] when min_open).
LossOptionDef real_option(std::string name, LossOptionKind kind, std::string fallback, double min,
                          bool min_open, double max, std::string meaning) {
  LossOptionDef d = option(std::move(name), kind, std::move(fallback), std::move(meaning));
  d.min = min;
  d.min_open = min_open;
  d.max = max;
  return d;
}

LossOptionDef real_option(std::string name, std::string fallback, double min, bool min_open,
                          double max, std::string meaning) {
  return real_option(std::move(name), LossOptionKind::Real, std::move(fallback), min, min_open, max,
                     std::move(meaning));
}

LossOptionDef class_weight_option(std::string meaning) {
  return real_option("weight", LossOptionKind::PerClass, "", 0, false, kAny, std::move(meaning));
}

const std::vector<LossInfo>& table() {
  static const std::vector<LossInfo> rows = {
      {"cross_entropy",
       "torch.nn.CrossEntropyLoss",
       LossTargets::ClassIndices,
       {real_option("label_smoothing", "0", 0, false, 1,
                    "eps: the target is (1 - eps) one-hot + eps / classes"),
        class_weight_option("rescales each class's examples"), reduction_option()},
       "softmax cross-entropy on raw scores and class labels",
       [](const LossOptions& o) -> LossFunction {
         return CrossEntropyLoss{.weight = o.list("weight"),
                                 .label_smoothing = o.real("label_smoothing"),
                                 .reduction = o.reduction()};
       }},
      {"mse",
       "torch.nn.MSELoss",
       LossTargets::PerOutput,
       {reduction_option()},
       "mean squared error",
       [](const LossOptions& o) -> LossFunction { return MSELoss{.reduction = o.reduction()}; }},
      {"nll",
       "torch.nn.NLLLoss",
       LossTargets::ClassIndices,
       {class_weight_option("rescales each class's examples"), reduction_option()},
       "negative log-likelihood of log-probabilities: end model.layers with log_softmax",
       [](const LossOptions& o) -> LossFunction {
         return NLLLoss{.weight = o.list("weight"), .reduction = o.reduction()};
       }},
      {"binary_cross_entropy",
       "torch.nn.BCEWithLogitsLoss",
       LossTargets::PerOutput,
       {real_option("pos_weight", LossOptionKind::RealOrList, "", 0, true, kAny,
                    "the weight of the positive term"),
        reduction_option()},
       "binary cross-entropy on logits (a sigmoid inside)",
       [](const LossOptions& o) -> LossFunction {
         return BCEWithLogitsLoss{.pos_weight = o.list("pos_weight"), .reduction = o.reduction()};
       }},
      {"l1",
       "torch.nn.L1Loss",
       LossTargets::PerOutput,
       {reduction_option()},
       "mean absolute error",
       [](const LossOptions& o) -> LossFunction { return L1Loss{.reduction = o.reduction()}; }},
      {"smooth_l1",
       "torch.nn.SmoothL1Loss",
       LossTargets::PerOutput,
       {real_option("beta", "1", 0, true, kAny, "where the quadratic part ends"),
        reduction_option()},
       "quadratic below beta, then linear (slope 1)",
       [](const LossOptions& o) -> LossFunction {
         return SmoothL1Loss{.beta = o.real("beta"), .reduction = o.reduction()};
       }},
      {"huber",
       "torch.nn.HuberLoss",
       LossTargets::PerOutput,
       {real_option("delta", "1", 0, true, kAny, "where the quadratic part ends"),
        reduction_option()},
       "quadratic below delta, then linear (slope delta)",
       [](const LossOptions& o) -> LossFunction {
         return HuberLoss{.delta = o.real("delta"), .reduction = o.reduction()};
       }},
      {"kl_div",
       "torch.nn.KLDivLoss",
       LossTargets::PerOutput,
       {reduction_option({"batchmean", "mean", "sum"}),
        option("log_target", LossOptionKind::Flag, "false", "the targets are log-probabilities")},
       "KL divergence of the targets from softmax(outputs): log_softmax is applied first",
       [](const LossOptions& o) -> LossFunction {
         const KLDivLoss kl{.reduction = o.reduction(), .log_target = o.flag("log_target")};
         // The model gives scores; KLDivLoss takes log-probabilities. log_softmax of
         // log-probabilities is themselves, so a model ending in log_softmax is fine too.
         return [kl](const Tensor& out, const Tensor& target) {
           return kl(log_softmax(out, -1), target);
         };
       }},
      {"hinge_embedding",
       "torch.nn.HingeEmbeddingLoss",
       LossTargets::Signs,
       {real_option("margin", "1", -kAny, false, kAny,
                    "targets of -1 are pushed to outputs of at least margin"),
        reduction_option()},
       "x where the target is 1, max(0, margin - x) where it is -1",
       [](const LossOptions& o) -> LossFunction {
         return HingeEmbeddingLoss{.margin = o.real("margin"), .reduction = o.reduction()};
       }},
      {"multi_margin",
       "torch.nn.MultiMarginLoss",
       LossTargets::ClassIndices,
       {[] {
          LossOptionDef p =
              option("p", LossOptionKind::Choice, "1", "the power of each hinge term");
          p.choices = {"1", "2"};
          return p;
        }(),
        real_option("margin", "1", -kAny, false, kAny,
                    "how far the true class's score must lead the others"),
        class_weight_option("rescales each class's examples"), reduction_option()},
       "multi-class hinge loss on raw scores and class labels",
       [](const LossOptions& o) -> LossFunction {
         return MultiMarginLoss{.p = static_cast<int>(o.real("p")),
                                .margin = o.real("margin"),
                                .weight = o.list("weight"),
                                .reduction = o.reduction()};
       }},
  };
  return rows;
}

std::string number(double v) { return shortest_text(v); }

bool in_range(const LossOptionDef& d, double v) {
  return std::isfinite(v) && (d.min_open ? v > d.min : v >= d.min) && v <= d.max;
}

// One option's value from the SPEC's arguments, checked against its declaration.
void read_option(const LossOptionDef& d, SpecArgs& args, const std::string& raw, LossOptions& out) {
  const auto bad = [&](const std::string& value) {
    throw SpecError(args.context() + ": " + d.name + "=" + value + " is not valid (expected " +
                    d.accepted() + ")");
  };
  switch (d.kind) {
    case LossOptionKind::Real: {
      const double v = args.get_double(d.name, std::stod(d.fallback));
      if (!in_range(d, v)) bad(raw);
      out.reals[d.name] = v;
      return;
    }
    case LossOptionKind::Flag:
      out.flags[d.name] = args.get_bool(d.name, d.fallback == "true");
      return;
    case LossOptionKind::Choice: {
      const std::string v = args.get_string(d.name, d.fallback);
      if (std::find(d.choices.begin(), d.choices.end(), v) == d.choices.end()) bad(raw);
      out.choices[d.name] = v;
      if (d.name == "p") out.reals[d.name] = std::stod(v);  // p is a number to the loss
      return;
    }
    case LossOptionKind::PerClass:
    case LossOptionKind::RealOrList: {
      std::vector<double> v;
      if (args.is_list(d.name) || d.kind == LossOptionKind::PerClass) {
        v = args.get_list(d.name, {});
        if (args.has(d.name) && v.empty()) bad(raw);
      } else if (args.has(d.name)) {
        v = {args.get_double(d.name, 1)};
      }
      for (double x : v)
        if (!in_range(d, x)) bad(raw);
      out.lists[d.name] = v;
      return;
    }
  }
}

}  // namespace

std::string LossOptionDef::accepted() const {
  std::string range;
  if (min > -kAny && max < kAny)
    range = std::string(min_open ? "in (" : "in [") + number(min) + ", " + number(max) + "]";
  else if (min > -kAny)
    range = std::string(min_open ? "> " : ">= ") + number(min);
  switch (kind) {
    case LossOptionKind::Real:
      return range.empty() ? "a finite number" : "a number " + range;
    case LossOptionKind::Flag:
      return "true or false";
    case LossOptionKind::Choice:
      return join(choices, " or ");
    case LossOptionKind::PerClass:
      return "a list of numbers " + range + ", one per class, e.g. [1,2,1]";
    case LossOptionKind::RealOrList:
      return "a number " + range + ", or a list of them, one per output";
  }
  return "";
}

Reduction LossOptions::reduction() const {
  const std::string& r = choices.at("reduction");
  return r == "sum" ? Reduction::Sum : r == "batchmean" ? Reduction::BatchMean : Reduction::Mean;
}

const std::vector<LossInfo>& loss_table() { return table(); }

const LossInfo* find_loss(const std::string& spec) {
  std::string name;
  try {
    name = parse_spec(spec).name;
  } catch (const SpecError&) {
    return nullptr;
  }
  for (const LossInfo& info : table())
    if (info.name == name) return &info;
  return nullptr;
}

LossSpec parse_loss(const std::string& text) {
  const Spec spec = parse_spec(text);
  LossSpec out;
  for (const LossInfo& info : table())
    if (info.name == spec.name) out.info = &info;
  if (!out.info)
    throw UnknownNameError("unknown loss '" + spec.name + "'" + did_you_mean(spec.name, loss_names()) +
                    " (valid: " + join(loss_names()) + ")");
  const LossInfo& info = *out.info;
  std::vector<std::string> names;
  for (const LossOptionDef& d : info.options) names.push_back(d.name);
  for (const auto& [key, value] : spec.args)
    if (std::find(names.begin(), names.end(), key) == names.end())
      throw UnknownNameError(info.name + " has no option '" + key + "'" + did_you_mean(key, names) +
                      "; its options are " + join(names));
  SpecArgs args(info.name, spec.args);
  for (const LossOptionDef& d : info.options) {
    const auto given = spec.args.find(d.name);
    read_option(d, args, given == spec.args.end() ? d.fallback : given->second, out.options);
    if (given != spec.args.end()) out.given.push_back(d.name);
  }
  args.finish();
  return out;
}

void check_loss_outputs(const LossSpec& loss, int64_t outputs) {
  for (const LossOptionDef& d : loss.info->options) {
    if (d.kind != LossOptionKind::PerClass && d.kind != LossOptionKind::RealOrList) continue;
    const std::vector<double>& v = loss.options.list(d.name);
    const int64_t count = static_cast<int64_t>(v.size());
    if (v.empty() || count == outputs || (d.kind == LossOptionKind::RealOrList && count == 1))
      continue;
    std::string text;
    for (double x : v) {
      if (!text.empty()) text += ',';
      text += number(x);
    }
    throw SpecError(
        loss.info->name + ": " + d.name + "=[" + text + "] has " + std::to_string(count) +
        " values, but the model has " + std::to_string(outputs) + " outputs (expected " +
        (d.kind == LossOptionKind::PerClass ? "one per class" : "1 or one per output") + ")");
  }
}

const std::vector<std::string>& loss_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const LossInfo& info : table()) out.push_back(info.name);
    return out;
  }();
  return names;
}

bool loss_is_classification(const std::string& spec) {
  const LossInfo* info = find_loss(spec);
  return info && info->targets == LossTargets::ClassIndices;
}

LossFunction loss_by_name(const std::string& spec) { return parse_loss(spec).make(); }

}  // namespace descent
