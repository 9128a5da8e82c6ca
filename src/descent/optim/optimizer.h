#pragma once
// Optimizer: the shape of torch.optim. Parameters come in groups, each with its own
// hyper-parameters (a group may set lr or weight_decay apart from the others); each parameter has
// its own state (step count, moment buffers); step() applies one update to every parameter that
// has a gradient, and state_dict()/load_state_dict() save and restore everything a resumed run
// needs to continue bit for bit.
//
// A concrete optimizer implements update(): one fused pass over a parameter, its gradient and
// its state buffers. Hyper-parameters are looked up once per parameter, never per element.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/optim/hyperparams.h"
#include "descent/tensor/named_tensor.h"

namespace descent {

struct ParamGroup {
  std::vector<Tensor> params;
  Hyperparams options;  // filled with the optimizer's defaults where the group says nothing

  double get(const std::string& key) const;  // throws naming the key when absent
  bool flag(const std::string& key) const { return get(key) != 0.0; }
};

struct ParamState {
  std::map<std::string, double> scalars;  // e.g. "step"
  std::map<std::string, Tensor> buffers;  // e.g. "exp_avg"

  // The named buffer, created zero-filled with the parameter's shape on first use.
  Tensor& buffer(const std::string& name, const Tensor& like);
  bool has(const std::string& name) const { return buffers.count(name) > 0; }
};

// The optimizer's state in saveable form: tensors named "state.<index>.<buffer>" (index counts
// parameters across groups, in order) and a JSON description of groups and scalar state.
struct OptimizerState {
  nlohmann::json meta;
  std::vector<NamedTensor> tensors;
};

// Recomputes the loss and its gradients (zero_grad, forward, backward) and returns the loss.
using Closure = std::function<float()>;

class Optimizer {
 public:
  // defs: every hyper-parameter the optimizer knows; defaults: the values groups start from (the
  // defs' defaults with the caller's overrides). Every group's values are checked against defs.
  Optimizer(std::string name, std::vector<HyperparamDef> defs, const Hyperparams& defaults,
            std::vector<ParamGroup> groups);
  virtual ~Optimizer() = default;

  const std::string& name() const { return name_; }
  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  const Hyperparams& defaults() const { return defaults_; }
  const std::vector<HyperparamDef>& hyperparam_defs() const { return defs_; }
  void add_param_group(ParamGroup group);

  void zero_grad();  // fills existing gradients with zeros
  // One update. With a closure, the loss is evaluated first (and returned).
  virtual std::optional<float> step(const Closure& closure = nullptr);

  OptimizerState state_dict() const;
  void load_state_dict(const OptimizerState& state);  // throws on a mismatch, naming it

 protected:
  // Updates one parameter in place from its gradient (never null here).
  virtual void update(const ParamGroup& group, Tensor& param, const float* grad,
                      ParamState& state) = 0;

 private:
  void fill_defaults(ParamGroup& group) const;

  std::string name_;
  std::vector<HyperparamDef> defs_;
  Hyperparams defaults_;
  std::vector<ParamGroup> groups_;
  std::vector<ParamState> states_;  // one per parameter, in group order
};

}  // namespace descent
