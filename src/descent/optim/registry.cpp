#include "descent/optim/registry.h"

#include "descent/optim/hyperparam_aliases.h"
#include "descent/util/suggest.h"

#include "descent/optim/adam.h"
#include "descent/optim/sgd.h"
// includes: classic adaptive
#include "descent/optim/adadelta.h"
#include "descent/optim/adagrad.h"
#include "descent/optim/asgd.h"
#include "descent/optim/rmsprop.h"
#include "descent/optim/rprop.h"
// includes: Adam family
#include "descent/optim/adafactor.h"
#include "descent/optim/adamax.h"
#include "descent/optim/adamw.h"
#include "descent/optim/nadam.h"
#include "descent/optim/radam.h"
// includes: closure and wrapper optimizers
#include "descent/optim/adamw_schedulefree.h"
#include "descent/optim/lbfgs.h"
#include "descent/optim/lookahead.h"
#include "descent/optim/muon.h"
#include "descent/optim/sam.h"
#include "descent/optim/schedule_free_wrapper.h"
// includes: modern optimizers
#include "descent/optim/adabelief.h"
#include "descent/optim/adan.h"
#include "descent/optim/ademamix.h"
#include "descent/optim/adopt.h"
#include "descent/optim/delta_bar_delta.h"
#include "descent/optim/lamb.h"
#include "descent/optim/lars.h"
#include "descent/optim/lion.h"
#include "descent/optim/yogi.h"
// includes: learning-rate-free and schedule-free
#include "descent/optim/dadapt_adam.h"
#include "descent/optim/prodigy.h"
#include "descent/optim/radam_schedulefree.h"
#include "descent/optim/sgd_schedulefree.h"
// includes: tier 2
#include "descent/optim/adabound.h"
#include "descent/optim/adamp.h"
#include "descent/optim/aggmo.h"
#include "descent/optim/ftrl.h"
#include "descent/optim/laprop.h"
#include "descent/optim/madgrad.h"
#include "descent/optim/novograd.h"
#include "descent/optim/qhadam.h"
#include "descent/optim/qhm.h"
#include "descent/optim/sgdp.h"
#include "descent/optim/signum.h"
// includes: second-order
#include "descent/optim/shampoo.h"
#include "descent/optim/soap.h"
// includes: composed
#include "descent/optim/transforms/chain.h"

namespace descent {
namespace {

template <class T>
OptimizerInfo entry(const std::string& name) {
  return {name, Optimizer::with_shared_hyperparams(T::hyperparams()),
          [](std::vector<ParamGroup> groups, const Hyperparams& defaults) {
            return std::make_unique<T>(std::move(groups), defaults);
          }};
}

// A wrapper of a base optimizer (wrapper.h): SPEC keys beyond its own belong to the base.
template <class T>
OptimizerInfo wrapper_entry(const std::string& name) {
  OptimizerInfo info = entry<T>(name);
  info.make_from_args = &T::from_args;
  info.default_base = T::kDefaultBase;
  info.more_keys = "base=" + info.default_base + " and the base's keys";
  return info;
}

}  // namespace

const std::vector<OptimizerInfo>& optimizer_registry() {
  static const std::vector<OptimizerInfo> registry = {
      entry<SGD>("sgd"),
      entry<Adam>("adam"),
      // entries: classic adaptive
      entry<Adagrad>("adagrad"),
      entry<Adadelta>("adadelta"),
      entry<RMSprop>("rmsprop"),
      entry<Rprop>("rprop"),
      entry<ASGD>("asgd"),
      // entries: Adam family
      entry<AdamW>("adamw"),
      entry<Adamax>("adamax"),
      entry<NAdam>("nadam"),
      entry<RAdam>("radam"),
      entry<Adafactor>("adafactor"),
      // entries: closure and wrapper optimizers
      entry<LBFGS>("lbfgs"),
      wrapper_entry<Lookahead>("lookahead"),
      wrapper_entry<Sam>("sam"),
      wrapper_entry<ScheduleFreeWrapper>("schedule_free"),
      [] {  // its transforms are SPECs of their own (optim/transforms/registry.h)
        OptimizerInfo info = entry<Chain>("chain");
        info.make_from_args = &Chain::from_args;
        info.more_keys = "transforms=[...] (docs/transforms.md)";
        return info;
      }(),
      entry<AdamWScheduleFree>("adamw_schedulefree"),
      entry<Muon>("muon"),
      // entries: modern optimizers
      entry<Lion>("lion"),
      entry<Lamb>("lamb"),
      entry<Lars>("lars"),
      entry<AdaBelief>("adabelief"),
      entry<Yogi>("yogi"),
      entry<DeltaBarDelta>("delta_bar_delta"),
      entry<Adopt>("adopt"),
      entry<Adan>("adan"),
      entry<AdEMAMix>("ademamix"),
      // entries: learning-rate-free and schedule-free
      entry<Prodigy>("prodigy"),
      entry<DAdaptAdam>("dadapt_adam"),
      entry<SGDScheduleFree>("sgd_schedulefree"),
      entry<RAdamScheduleFree>("radam_schedulefree"),
      // entries: tier 2
      entry<Signum>("signum"),
      entry<LaProp>("laprop"),
      entry<QHM>("qhm"),
      entry<QHAdam>("qhadam"),
      entry<AdaBound>("adabound"),
      entry<AggMo>("aggmo"),
      entry<Madgrad>("madgrad"),
      entry<AdamP>("adamp"),
      entry<SGDP>("sgdp"),
      entry<NovoGrad>("novograd"),
      entry<Ftrl>("ftrl"),
      // entries: second-order
      entry<Shampoo>("shampoo"),
      entry<Soap>("soap"),
  };
  return registry;
}

const OptimizerInfo& optimizer_info(const std::string& name) {
  std::string valid;
  std::vector<std::string> names;
  for (const auto& info : optimizer_registry()) {
    if (same_ignoring_case(info.name, name)) return info;
    valid += (valid.empty() ? "" : ", ") + info.name;
    names.push_back(info.name);
  }
  throw UnknownNameError("unknown optimizer '" + name + "'" + did_you_mean(name, names) +
                         " (valid: " + valid + ")");
}

void resolve_optimizer_aliases(const OptimizerInfo& info, std::map<std::string, std::string>& args,
                               const std::string& context) {
  resolve_hyperparam_aliases(info.name, info.hyperparams, args, context);
  if (info.default_base.empty()) return;
  const auto base = args.find("base");
  const OptimizerInfo& base_info =
      optimizer_info(base == args.end() ? info.default_base : base->second);
  resolve_hyperparam_aliases(base_info.name, base_info.hyperparams, args, context);
}

Hyperparams read_hyperparams(const OptimizerInfo& info, SpecArgs& args) {
  return read_hyperparams(info.hyperparams, args);
}

Hyperparams read_hyperparams(const std::vector<HyperparamDef>& defs, SpecArgs& args) {
  Hyperparams h;
  for (const auto& def : defs) {
    double value = def.value;
    switch (def.kind) {
      case HyperparamKind::Real:
      case HyperparamKind::Integer:
        value = args.get_double(def.name, def.value);
        break;
      case HyperparamKind::Bool:
        value = args.get_bool(def.name, def.value != 0) ? 1.0 : 0.0;
        break;
      case HyperparamKind::Choice: {
        value = choice_value(args.context(), def,
                             args.get_string(def.name, hyperparam_text(def, def.value)));
        break;
      }
    }
    check_hyperparam(args.context(), def, value);
    h[def.name] = value;
  }
  args.finish();
  return h;
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<ParamGroup> groups,
                                          const Hyperparams& hyperparams) {
  return optimizer_info(name).make(std::move(groups), hyperparams);
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params,
                                          const Hyperparams& hyperparams) {
  std::vector<ParamGroup> groups(1);
  groups[0].params = std::move(params);
  return make_optimizer(name, std::move(groups), hyperparams);
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<ParamGroup> groups,
                                          SpecArgs& args) {
  const OptimizerInfo& info = optimizer_info(name);
  if (info.make_from_args) return info.make_from_args(std::move(groups), args);
  return info.make(std::move(groups), read_hyperparams(info, args));
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& spec_text,
                                          std::vector<Tensor> params) {
  Spec spec = parse_spec(spec_text);
  const std::string context = "optimizer '" + spec_text + "'";
  const OptimizerInfo& info = optimizer_info(spec.name);
  resolve_optimizer_aliases(info, spec.args, context);
  SpecArgs args(context, spec.args);
  std::vector<ParamGroup> groups(1);
  groups[0].params = std::move(params);
  return make_optimizer(spec.name, std::move(groups), args);
}

}  // namespace descent
