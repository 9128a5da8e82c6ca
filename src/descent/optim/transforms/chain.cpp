#include "descent/optim/transforms/chain.h"

#include <algorithm>

#include "descent/autograd/grad_mode.h"
#include "descent/optim/registry.h"
#include "descent/optim/transforms/registry.h"
#include "descent/optim/update_parts.h"
#include "descent/util/glob.h"

namespace descent {
namespace {

bool in_mask(const ChainLink& link, const std::string* name) {
  if (link.params.empty()) return true;
  if (!name) return false;
  for (const std::string& pattern : link.params)
    if (glob_match(pattern, *name)) return true;
  return false;
}

// Each pattern of each link must choose some parameter: a misspelt one would silently leave its
// parameters to the other transforms.
void check_masks(const std::vector<ChainLink>& links, const std::vector<ParamGroup>& groups) {
  std::vector<std::string> names;
  bool unnamed = false;
  for (const ParamGroup& g : groups) {
    names.insert(names.end(), g.names.begin(), g.names.end());
    unnamed = unnamed || (g.names.empty() && !g.params.empty());
  }
  for (size_t k = 0; k < links.size(); ++k)
    for (const std::string& pattern : links[k].params) {
      const std::string where = "chain: transform " + std::to_string(k + 1) + " (" + links[k].name +
                                "): params pattern '" + pattern + "'";
      if (unnamed)
        throw std::invalid_argument(where +
                                    " needs the parameters' names, and the optimizer was "
                                    "given parameters without names");
      if (std::none_of(names.begin(), names.end(),
                       [&](const std::string& n) { return glob_match(pattern, n); })) {
        std::string all;
        for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
        throw std::invalid_argument(where + " matches no parameter (the parameters: " + all + ")");
      }
    }
}

}  // namespace

std::vector<HyperparamDef> Chain::hyperparams() {
  return {non_negative("lr", 1e-3), non_negative("weight_decay", 0.0)};
}

Chain::Chain(std::vector<ParamGroup> groups, const Hyperparams& defaults,
             std::vector<ChainLink> links)
    : Optimizer("chain", with_shared_hyperparams(hyperparams()), defaults, std::move(groups)),
      links_(std::move(links)) {
  refuse_weight_decay_forms(*this, "add_decayed_weights decays where it stands in the chain");
  check_masks(links_, param_groups());
  if (std::any_of(links_.begin(), links_.end(),
                  [](const ChainLink& l) { return l.name == "add_decayed_weights"; }))
    return;
  for (const ParamGroup& group : param_groups())
    if (group.get("weight_decay") != 0)
      throw std::invalid_argument(
          "chain: weight_decay = " +
          hyperparam_text(non_negative("weight_decay", 0), group.get("weight_decay")) +
          " would do nothing: the chain has no add_decayed_weights (put it where the decay "
          "belongs, e.g. after scale_by_optimizer for AdamW's decoupled form)");
}

std::unique_ptr<Optimizer> Chain::from_args(std::vector<ParamGroup> groups, SpecArgs& args) {
  std::vector<ChainLink> links;
  const std::vector<std::string> specs = args.get_spec_list("transforms", "transform");
  for (size_t k = 0; k < specs.size(); ++k)
    links.push_back(
        make_transform(specs[k], args.context() + ": transform " + std::to_string(k + 1)));
  const Hyperparams h = read_hyperparams(with_shared_hyperparams(hyperparams()), args);
  return std::make_unique<Chain>(std::move(groups), h, std::move(links));
}

void Chain::run(std::vector<TransformSlot>& slots) {
  for (TransformSlot& s : slots) s.state->scalars["step"] += 1;
  std::vector<TransformSlot> chosen;
  for (size_t k = 0; k < links_.size(); ++k) {
    chosen.clear();
    for (const TransformSlot& s : slots)
      if (in_mask(links_[k], s.name)) chosen.push_back(s);
    for (TransformSlot& s : chosen) s.prefix = std::to_string(k) + ".";
    if (!links_[k].transform->apply(chosen)) return;
  }
  for (TransformSlot& s : slots) {
    const float lr = static_cast<float>(s.group->get("lr"));
    float* p = s.param->data();
    for (int64_t i = 0; i < s.numel(); ++i) p[i] -= lr * s.update[i];
  }
}

std::optional<float> Chain::step(const Closure& closure) {
  std::optional<float> loss;
  if (closure) loss = closure();
  NoGradGuard no_grad;
  std::vector<TransformSlot> slots;
  size_t index = 0, in_group = 0;
  const ParamGroup* last = nullptr;
  for_each_param(
      [&](const ParamGroup& group, Tensor& param, ParamState& state) {
        if (&group != last) last = &group, in_group = 0;
        const std::string* name = group.names.empty() ? nullptr : &group.names[in_group];
        const size_t i = index++;
        ++in_group;
        if (!param.has_grad()) return;
        if (updates_.size() <= i) updates_.resize(i + 1);
        std::vector<float>& u = updates_[i];
        u.assign(param.grad_data(), param.grad_data() + param.numel());
        slots.push_back({&group, &param, u.data(), &state, i, "", name});
      },
      Visit::All);
  run(slots);
  return loss;
}

void Chain::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  std::vector<float> u(grad, grad + param.numel());
  std::vector<TransformSlot> slots{{&group, &param, u.data(), &state, 0, "", nullptr}};
  run(slots);
}

ParamState Chain::expected_state(const ParamGroup& group, const Tensor& param, size_t index,
                                 const ParamState&) {
  // The name from this optimizer's own groups (`group` may be a copy with the saved options).
  const std::string* name = nullptr;
  size_t first = 0;  // the index of a group's first parameter
  for (const ParamGroup& g : param_groups()) {
    if (index < first + g.params.size()) {
      if (!g.names.empty()) name = &g.names[index - first];
      break;
    }
    first += g.params.size();
  }
  NoGradGuard no_grad;
  Tensor scratch = param.clone();
  std::vector<float> u(static_cast<size_t>(param.numel()), 0.0f);
  ParamState fresh;
  std::vector<TransformSlot> slots{{&group, &scratch, u.data(), &fresh, index, "", name}};
  run(slots);
  return fresh;
}

}  // namespace descent
