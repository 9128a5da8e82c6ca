#include "descent/optim/transforms/registry.h"

#include "descent/optim/hyperparam_aliases.h"
#include "descent/optim/registry.h"
#include "descent/optim/transforms/adaptive_clip.h"
#include "descent/optim/transforms/add_decayed_weights.h"
#include "descent/optim/transforms/add_noise.h"
#include "descent/optim/transforms/centralize.h"
#include "descent/optim/transforms/clip.h"
#include "descent/optim/transforms/scale.h"
#include "descent/optim/transforms/scale_by_optimizer.h"
#include "descent/optim/transforms/skip.h"
#include "descent/util/suggest.h"

namespace descent {
namespace {

// An entry whose transform takes no arguments.
template <class T>
TransformInfo plain(const std::string& name, const std::string& summary) {
  return {name, summary, {}, [](const Hyperparams&) { return std::make_unique<T>(); }};
}

HyperparamDef positive(const std::string& name, double value) {
  HyperparamDef def = non_negative(name, value);
  def.min = 1e-300;  // above 0: a limit of 0 would zero every update
  return def;
}

}  // namespace

const std::vector<TransformInfo>& transform_registry() {
  static const std::vector<TransformInfo> registry = {
      {"clip_by_global_norm",
       "u <- u max_norm / ||u|| where the norm over every parameter is >= max_norm",
       {positive("max_norm", 1.0)},
       [](const Hyperparams& h) { return std::make_unique<ClipByGlobalNorm>(h.at("max_norm")); }},
      {"clip_by_value",
       "u <- min(max(u, -max_delta), max_delta), element by element",
       {positive("max_delta", 1.0)},
       [](const Hyperparams& h) { return std::make_unique<ClipByValue>(h.at("max_delta")); }},
      {"clip_by_block_rms",
       "per parameter: u <- u / max(1, rms(u) / threshold)",
       {positive("threshold", 1.0)},
       [](const Hyperparams& h) { return std::make_unique<ClipByBlockRms>(h.at("threshold")); }},
      plain<Centralize>("centralize",
                        "each row of a matrix (a unit's incoming weights) minus its mean"),
      {"adaptive_grad_clip",
       "per unit: u_r scaled down to clipping * max(||p_r||, eps) where it is larger",
       {positive("clipping", 0.01), positive("eps", 1e-3)},
       [](const Hyperparams& h) {
         return std::make_unique<AdaptiveGradClip>(h.at("clipping"), h.at("eps"));
       }},
      plain<AddDecayedWeights>("add_decayed_weights",
                               "u <- u + weight_decay p (the chain's weight_decay)"),
      {"add_noise",
       "u <- u + N(0, eta / (1 + t)^gamma), seeded",
       {non_negative("eta", 0.01), non_negative("gamma", 0.55), integer("seed", 0, 0)},
       [](const Hyperparams& h) {
         return std::make_unique<AddNoise>(h.at("eta"), h.at("gamma"),
                                           static_cast<uint64_t>(h.at("seed")));
       }},
      plain<SkipNonFinite>("skip_non_finite",
                           "ends the step, parameters unchanged, when an update is NaN or inf"),
      {"skip_large_updates",
       "ends the step, parameters unchanged, when ||u||^2 > max_squared_norm",
       {positive("max_squared_norm", 1.0)},
       [](const Hyperparams& h) {
         return std::make_unique<SkipLargeUpdates>(h.at("max_squared_norm"));
       }},
      {"scale",
       "u <- step_size u",
       {real("step_size", 1.0)},
       [](const Hyperparams& h) { return std::make_unique<Scale>(h.at("step_size")); }},
      plain<ScaleBySign>("scale_by_sign", "u <- sign(u)"),
      {"scale_by_optimizer",
       "the step any per-parameter optimizer (base=adam) takes at lr 1; other keys are the base's",
       {},
       nullptr,
       &ScaleByOptimizer::from_args},
  };
  return registry;
}

const TransformInfo& transform_info(const std::string& name) {
  std::vector<std::string> names;
  std::string valid;
  for (const auto& info : transform_registry()) {
    if (info.name == name) return info;
    names.push_back(info.name);
    valid += (valid.empty() ? "" : ", ") + info.name;
  }
  throw UnknownNameError("unknown transform '" + name + "'" + did_you_mean(name, names) +
                         " (valid: " + valid + ")");
}

namespace {

// params=[a;b] (or [a,b], or one pattern without brackets) as its patterns.
std::vector<std::string> patterns_of(std::string text, const std::string& where) {
  if (!text.empty() && text.front() == '[') {
    if (text.back() != ']') throw SpecError(where + ": params=" + text + " lacks its closing ']'");
    text = text.substr(1, text.size() - 2);
  }
  std::vector<std::string> out;
  std::string item;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ';' || text[i] == ',') {
      if (item.empty())
        throw SpecError(where + ": params has an empty pattern (expected names like *.bias)");
      out.push_back(item);
      item.clear();
    } else if (text[i] != ' ') {
      item += text[i];
    }
  }
  return out;
}

}  // namespace

ChainLink make_transform(const std::string& text, const std::string& context) {
  Spec spec = parse_spec(text);
  const std::string where = context + " '" + text + "'";
  try {
    const TransformInfo& info = transform_info(spec.name);
    ChainLink link{info.name, nullptr};
    if (const auto it = spec.args.find("params"); it != spec.args.end()) {
      link.params = patterns_of(it->second, where);
      spec.args.erase(it);
    }
    if (info.make_from_args) {
      // The base's spellings (betas=(0.9,0.99), learning_rate) as its own SPEC takes them.
      const auto base = spec.args.find("base");
      const OptimizerInfo& base_info =
          optimizer_info(base == spec.args.end() ? "adam" : base->second);
      resolve_hyperparam_aliases(base_info.name, base_info.hyperparams, spec.args, where);
      SpecArgs args(where, spec.args);
      link.transform = info.make_from_args(args);
    } else {
      SpecArgs args(where, spec.args);
      link.transform = info.make(read_hyperparams(info.hyperparams, args));
    }
    return link;
  } catch (const SpecError& e) {
    const std::string what = e.what();
    if (what.rfind(where, 0) == 0) throw;
    throw_spec_error(e, where + ": " + what);
  }
}

}  // namespace descent
