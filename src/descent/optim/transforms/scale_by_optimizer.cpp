#include "descent/optim/transforms/scale_by_optimizer.h"

#include <algorithm>

#include "descent/optim/registry.h"
#include "descent/optim/wrapper.h"

namespace descent {
namespace {

constexpr const char* kWhat = "scale_by_optimizer";

}  // namespace

ScaleByOptimizer::ScaleByOptimizer(const std::string& base, Hyperparams base_hyperparams) {
  const OptimizerInfo& info = per_parameter_optimizer(kWhat, base);
  if (base_hyperparams.count("weight_decay_form") && base_hyperparams.at("weight_decay_form") != 0)
    throw SpecError(std::string(kWhat) + ": base=" + base +
                    ": weight_decay_form is not supported here (add_decayed_weights in the chain "
                    "decays where it stands)");
  for (const auto& def : info.hyperparams) base_hyperparams.emplace(def.name, def.value);
  if (base_hyperparams.count("lr")) base_hyperparams["lr"] = 1.0;
  base_ = info.make({ParamGroup{}}, base_hyperparams);
}

std::unique_ptr<Transform> ScaleByOptimizer::from_args(SpecArgs& args) {
  const std::string base = args.get_string("base", "adam");
  if (args.has("lr"))
    throw SpecError(args.context() + ": lr is the chain's (the base runs at lr = 1)");
  const Hyperparams h = read_hyperparams(per_parameter_optimizer(kWhat, base), args);
  return std::make_unique<ScaleByOptimizer>(base, h);
}

bool ScaleByOptimizer::apply(std::vector<TransformSlot>& slots) {
  const ParamGroup& group = base_->param_groups().front();
  for (TransformSlot& s : slots) {
    if (copies_.size() <= s.index) copies_.resize(s.index + 1);
    Tensor& q = copies_[s.index];
    if (!q.defined() || q.shape() != s.param->shape()) q = s.param->clone();
    const float* p = s.param->data();
    float* qd = q.data();
    std::copy_n(p, s.numel(), qd);
    // The base's state, under this transform's prefix in the chain's, as the base names it.
    ParamState inner;
    for (auto it = s.state->buffers.begin(); it != s.state->buffers.end();)
      if (it->first.rfind(s.prefix, 0) == 0) {
        inner.buffers.emplace(it->first.substr(s.prefix.size()), std::move(it->second));
        it = s.state->buffers.erase(it);
      } else {
        ++it;
      }
    for (auto it = s.state->scalars.begin(); it != s.state->scalars.end();)
      if (it->first.rfind(s.prefix, 0) == 0) {
        inner.scalars.emplace(it->first.substr(s.prefix.size()), it->second);
        it = s.state->scalars.erase(it);
      } else {
        ++it;
      }
    update_parameter(*base_, group, q, s.update, inner);
    for (auto& [name, t] : inner.buffers) s.state->buffers[s.prefix + name] = std::move(t);
    for (const auto& [name, v] : inner.scalars) s.state->scalars[s.prefix + name] = v;
    for (int64_t i = 0; i < s.numel(); ++i) s.update[i] = p[i] - qd[i];
  }
  return true;
}

}  // namespace descent
