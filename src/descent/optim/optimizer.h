#pragma once
// Optimizer: the shape of torch.optim. Parameters come in groups, each with its own
// hyper-parameters (a group may set lr or weight_decay apart from the others); each parameter has
// its own state (step count, moment buffers); step() applies one update to every parameter that
// has a gradient, and state_dict()/load_state_dict() save and restore everything a resumed run
// needs to continue bit for bit.
//
// A concrete optimizer implements update(): one fused pass over a parameter, its gradient and
// its state buffers. It reads its group's hyper-parameters once per parameter into a small typed
// struct (AdamOptions::from(group)), never per element, and never keeps them across steps:
// schedules change the group's values between steps.
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/optim/hyperparams.h"
#include "descent/optim/update_norms.h"
#include "descent/tensor/named_tensor.h"

namespace descent {

struct ParamGroup {
  std::vector<Tensor> params;
  Hyperparams options;  // filled with the optimizer's defaults where the group says nothing
  // The parameters' names ("0.weight"), one per parameter, or none: what chooses parameters by
  // name (a chain's params=[...] masks) needs them.
  std::vector<std::string> names = {};

  double get(const std::string& key) const;  // throws naming the key when absent
  bool flag(const std::string& key) const { return get(key) != 0.0; }
  // A Choice hyper-parameter (def declares it) as the value its name maps to in `meanings`: the
  // stored index is turned into the chosen name first, so the order of def.choices never matters.
  // Throws std::logic_error for a name that meanings lacks.
  template <class E>
  E choice(const HyperparamDef& def,
           std::initializer_list<std::pair<std::string_view, E>> meanings) const {
    const std::string& name = choice_name(def, get(def.name));
    for (const auto& [n, meaning] : meanings)
      if (n == name) return meaning;
    throw std::logic_error(def.name + "=" + name + " has no meaning here");
  }
};

struct ParamState {
  std::map<std::string, double> scalars;  // e.g. "step"
  std::map<std::string, Tensor> buffers;  // e.g. "exp_avg"

  // The named buffer, created zero-filled with the parameter's shape on first use.
  Tensor& buffer(const std::string& name, const Tensor& like);
  // The named buffer, created zero-filled with `shape` on first use (preconditioner matrices).
  Tensor& buffer(const std::string& name, const Shape& shape);
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

  // defs with what the base class adds to every optimizer: weight_decay_form where weight_decay
  // is declared. The registry lists these, so every way of setting one knows them.
  //   default      the optimizer's own form (PyTorch's: coupled L2 for most, decoupled for AdamW)
  //   keras        decoupled as Keras applies it to every optimizer: p <- p (1 - lr wd) before the
  //                update, which then sees no weight decay
  //   independent  the AdamW paper's: p <- p (1 - wd lr / lr0), the decay following the schedule
  //                (lr / lr0, lr0 the group's lr when the optimizer was made) but not lr itself
  static std::vector<HyperparamDef> with_shared_hyperparams(std::vector<HyperparamDef> defs);
  void add_param_group(ParamGroup group);

  void zero_grad();  // fills existing gradients with zeros
  // One update. With a closure, the loss is evaluated first (and returned).
  virtual std::optional<float> step(const Closure& closure = nullptr);

  // Optimizers whose weights to evaluate and keep differ from those they take gradients at
  // (schedule-free: x and y) switch the parameters to the first, and back; the trainer calls
  // eval_params() before it evaluates or saves and train_params() before it steps. No-ops here.
  virtual void eval_params() {}
  virtual void train_params() {}

  // Whether step() needs a closure that re-evaluates the loss and its gradients (lbfgs, sam);
  // the trainer passes one for these.
  virtual bool needs_closure() const { return false; }
  // Whether step() is update() on each parameter in turn, independently: what a wrapper (lookahead,
  // sam) can drive. Optimizers with a step() of their own over all parameters say no.
  virtual bool steps_per_parameter() const { return true; }
  // Whether step() is the walk below, which measures each update when asked (measure_updates):
  // every optimizer that steps per parameter, and those whose steps a wrapper cannot drive though
  // they walk the same way (schedule-free).
  virtual bool walks_parameters() const { return steps_per_parameter(); }

  // From the next step() on, measure how far each step moves every parameter that is one of
  // `params` (the same storage), into (*out)[its position in params]; null stops measuring. Only
  // the walk of Optimizer::step() measures: callers ask it of optimizers that walk the parameters
  // (walks_parameters()) and need no closure. A parameter the step leaves alone keeps what *out
  // held.
  void measure_updates(const std::vector<Tensor>& params, std::vector<UpdateNorms>* out);

  OptimizerState state_dict() const;
  // Throws on a mismatch, naming it, before changing anything: another optimizer, other
  // parameters, unknown hyper-parameters, and any parameter whose state is not what this
  // optimizer keeps (expected_state): a missing or extra buffer, a buffer of the wrong shape, a
  // missing scalar. A state with no parameter stepped yet is accepted; once one is, all must be.
  void load_state_dict(const OptimizerState& state);

 protected:
  // The state parameter `index` holds once it has been stepped with `group`'s options: by
  // default what update() creates when it steps a scratch copy of the parameter (zero gradient,
  // fresh state), so the answer follows the optimizer's own code. `saved` is the state being
  // loaded, for optimizers whose state has a saved size (lbfgs's history).
  virtual ParamState expected_state(const ParamGroup& group, const Tensor& param, size_t index,
                                    const ParamState& saved);

  // Updates one parameter in place from its gradient (never null here).
  virtual void update(const ParamGroup& group, Tensor& param, const float* grad,
                      ParamState& state) = 0;

  // Whether update() measures the change itself, in its own pass (to measured_update()); the walk
  // otherwise copies the parameter before update() and compares after.
  virtual bool measures_in_update() const { return false; }
  // Where update() puts the change of the parameter it is updating, or null when none is asked.
  UpdateNorms* measured_update() const { return measured_in_update_; }

  // The group's lr when it joined the optimizer (for schedules' ratios: adabound's bounds, the
  // independent weight decay); a group that is not this optimizer's is its own.
  double initial_lr(const ParamGroup& group) const;

  // Which parameters for_each_param visits.
  enum class Visit { WithGrad, All };
  // Calls f(group, param, state) for every parameter (those with a gradient, or all), in group
  // order, with its state: step()'s walk, for optimizers that walk the parameters themselves.
  template <class F>
  void for_each_param(F&& f, Visit visit = Visit::WithGrad) {
    size_t index = 0;
    for (ParamGroup& group : groups_)
      for (Tensor& param : group.params) {
        ParamState& state = states_[index++];
        if (visit == Visit::All || param.has_grad()) f(std::as_const(group), param, state);
      }
  }

 private:
  void fill_defaults(ParamGroup& group) const;
  // update() on one parameter, measured when asked; decay (keras/independent weight decay forms)
  // scales the parameter first, so that its measured change includes the decay.
  void update_measured(const ParamGroup& group, Tensor& param, ParamState& state, size_t index,
                       const float* decay);

  std::string name_;
  std::vector<HyperparamDef> defs_;
  Hyperparams defaults_;
  std::vector<ParamGroup> groups_;
  std::vector<ParamState> states_;                // one per parameter, in group order
  std::vector<double> initial_lrs_;               // one per group
  std::vector<UpdateNorms>* measured_ = nullptr;  // measure_updates()'s out
  std::vector<int64_t> measured_position_;        // per parameter: its slot in *measured_, or -1
  UpdateNorms* measured_in_update_ = nullptr;     // while update() measures itself
  std::vector<float> before_update_;              // a parameter's copy, to compare with after
};

}  // namespace descent
