#include "descent/optim/hyperparam_aliases.h"

#include <algorithm>

#include "descent/util/spec.h"

namespace descent {
namespace {

bool declares(const std::vector<HyperparamDef>& defs, const std::string& name) {
  return std::any_of(defs.begin(), defs.end(),
                     [&](const HyperparamDef& d) { return d.name == name; });
}

void rename(std::map<std::string, std::string>& args, const std::string& from,
            const std::string& to, const std::string& context) {
  const auto it = args.find(from);
  if (it == args.end()) return;
  if (args.count(to))
    throw SpecError(context + ": " + from + " and " + to + " are the same setting: give one");
  args[to] = it->second;
  args.erase(from);
}

// "(0.9,0.999)", "[0.9, 0.999]" or "0.9,0.999" -> the two texts.
std::vector<std::string> tuple_items(std::string text) {
  const auto strip = [](std::string s) {
    const size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  text = strip(text);
  if (text.size() >= 2 &&
      ((text.front() == '(' && text.back() == ')') || (text.front() == '[' && text.back() == ']')))
    text = text.substr(1, text.size() - 2);
  std::vector<std::string> items;
  size_t start = 0;
  for (size_t comma = text.find(',');; comma = text.find(',', start)) {
    items.push_back(strip(text.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

}  // namespace

const std::vector<HyperparamAlias>& hyperparam_aliases() {
  static const std::vector<HyperparamAlias> table = {
      {"learning_rate", "lr", ""}, {"epsilon", "eps", ""},      {"beta_1", "beta1", ""},
      {"beta_2", "beta2", ""},     {"rho", "alpha", "rmsprop"},
  };
  return table;
}

void resolve_hyperparam_aliases(const std::string& optimizer,
                                const std::vector<HyperparamDef>& defs,
                                std::map<std::string, std::string>& args,
                                const std::string& context) {
  for (const HyperparamAlias& a : hyperparam_aliases())
    if ((a.optimizer.empty() || a.optimizer == optimizer) && declares(defs, a.name))
      rename(args, a.alias, a.name, context);
  const auto betas = args.find("betas");
  if (betas == args.end() || !declares(defs, "beta1") || !declares(defs, "beta2")) return;
  // Two betas, or three where the optimizer has a beta3 (Adan, AdEMAMix, AggMo), as their PyTorch
  // code; Prodigy's reference keeps its beta3 apart from a betas of two.
  std::vector<std::string> names = {"beta1", "beta2"};
  if (declares(defs, "beta3") && optimizer != "prodigy") names.push_back("beta3");
  const std::vector<std::string> items = tuple_items(betas->second);
  bool valid = items.size() == names.size();
  for (const std::string& item : items) valid = valid && !item.empty();
  if (!valid)
    throw SpecError(context + ": betas=" + betas->second + " is not valid (expected " +
                    (names.size() == 2 ? "two numbers, e.g. betas=(0.9,0.999))"
                                       : "three numbers, e.g. betas=(0.9,0.999,0.9999))"));
  for (const std::string& name : names)
    if (args.count(name))
      throw SpecError(context + ": betas and " + name + " set the same parameter: give one");
  for (size_t i = 0; i < names.size(); ++i) args[names[i]] = items[i];
  args.erase("betas");
}

}  // namespace descent
