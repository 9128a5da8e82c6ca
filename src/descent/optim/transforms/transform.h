#pragma once
// Gradient transformations (optax's idea): small steps that each turn the updates of every
// parameter (at first, their gradients) into new updates, composed in a list by the chain
// optimizer (chain.h), which then moves each parameter by -lr times the final update:
//   u <- g;  u <- T1(u);  u <- T2(u); ...;  p <- p - lr u
// A transform sees all parameters at once, so global ones (clip_by_global_norm) are one pass, and
// keeps per-parameter state in the chain's state under a prefix of its own ("1.exp_avg" for the
// second transform), so the chain's state_dict() saves every transform's state.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "descent/optim/optimizer.h"
#include "descent/util/sum_squares.h"

namespace descent {

// One parameter as a transform sees it.
struct TransformSlot {
  const ParamGroup* group;            // the chain's group: lr, weight_decay
  Tensor* param;                      // the current value; only the chain's last step changes it
  float* update;                      // param->numel() values, transformed in place
  ParamState* state;                  // the chain's state of this parameter
  size_t index;                       // the parameter's position in the optimizer (noise streams)
  std::string prefix;                 // this transform's keys in `state` ("2.")
  const std::string* name = nullptr;  // the parameter's name, when its group has names

  int64_t numel() const { return param->numel(); }
  // This transform's buffer `name`, zero-filled with the parameter's shape when new.
  Tensor& buffer(const std::string& name) { return state->buffer(prefix + name, *param); }
  bool has(const std::string& name) const { return state->has(prefix + name); }
  // This transform's scalar `name`, 0 when new.
  double& scalar(const std::string& name) { return state->scalars[prefix + name]; }
  // The chain's step count, 1 at the first step.
  double step() const { return state->scalars.at("step"); }
};

class Transform {
 public:
  virtual ~Transform() = default;
  // Transforms the updates of `slots` (the parameters with a gradient) in place. Returns false
  // to end the step here: the parameters stay as they are and no later transform runs.
  virtual bool apply(std::vector<TransformSlot>& slots) = 0;
};

// One transform of a chain, with the parameters it applies to (optax's masked / multi_transform):
// name patterns (util/glob.h), none for every parameter.
struct ChainLink {
  std::string name;  // the transform's registry name
  std::unique_ptr<Transform> transform;
  std::vector<std::string> params = {};
};

// The sum of squares of every update, in double.
inline double squared_norm(const std::vector<TransformSlot>& slots) {
  double sum = 0;
  for (const TransformSlot& s : slots) sum += sum_squares(s.update, s.numel());
  return sum;
}

}  // namespace descent
