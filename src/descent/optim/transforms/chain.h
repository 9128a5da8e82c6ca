#pragma once
// chain: an optimizer made of gradient transformations (transform.h; optax's chain followed by
// its apply_updates), applied in order to the gradients of every parameter, then
//   p <- p - lr u
// with lr the group's (so schedules drive it as any optimizer's). The group also holds
// weight_decay, which add_decayed_weights applies where it stands in the chain (default 0: a chain
// with weight_decay > 0 and no add_decayed_weights is refused).
//
//   chain:transforms=[clip_by_global_norm:max_norm=1;scale_by_optimizer:base=adam;
//                     add_decayed_weights],lr=0.001,weight_decay=0.01
// is AdamW with its gradients clipped first. With no transform it is plain SGD. In a
// configuration: [optimizer] name = "chain", transforms = ["clip_by_global_norm:max_norm=1", ...].
// A transform applies to the parameters whose names match its params patterns, when it has any
// ("scale_by_optimizer:base=muon,params=[*.weight]"): optax's masked / multi_transform, the way
// to give parts of a model their own optimizer. The state of each transform lives in the chain's
// per-parameter state under the prefix "<k>." (k its position), so state_dict() saves all of it
// and a chain of other transforms refuses it.
#include <memory>
#include <string>
#include <vector>

#include "descent/optim/optimizer.h"
#include "descent/optim/transforms/transform.h"
#include "descent/util/spec.h"

namespace descent {

class Chain : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();  // lr, weight_decay
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  // Throws std::invalid_argument for weight_decay > 0 without add_decayed_weights, and for a link
  // whose params patterns match no parameter (or whose groups have no names to match).
  Chain(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams(),
        std::vector<ChainLink> links = {});

  // From SPEC arguments: transforms (a list of transform SPECs), lr, weight_decay.
  static std::unique_ptr<Optimizer> from_args(std::vector<ParamGroup> groups, SpecArgs& args);

  std::optional<float> step(const Closure& closure = nullptr) override;
  bool steps_per_parameter() const override { return false; }  // global transforms

  const std::vector<ChainLink>& links() const { return links_; }

 protected:
  // The chain applied to one parameter alone, as an unnamed one (masked transforms skip it).
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  // What the chain keeps for parameter `index`: its masked transforms included.
  ParamState expected_state(const ParamGroup& group, const Tensor& param, size_t index,
                            const ParamState& saved) override;

 private:
  void run(std::vector<TransformSlot>& slots);

  std::vector<ChainLink> links_;
  std::vector<std::vector<float>> updates_;  // u of each parameter index, reused
};

}  // namespace descent
