#pragma once
// Gradient transformations by name, for SPECs and configuration files
// ("clip_by_global_norm:max_norm=1"). Each entry declares its arguments (hyperparams.h), so a
// misspelt or out-of-range one is refused with what is accepted, and docs list them from here.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "descent/optim/hyperparams.h"
#include "descent/optim/transforms/transform.h"
#include "descent/util/spec.h"

namespace descent {

struct TransformInfo {
  std::string name;
  std::string summary;  // what it does, in one line
  std::vector<HyperparamDef> hyperparams;
  std::function<std::unique_ptr<Transform>(const Hyperparams&)> make;
  // Optional: builds from SPEC arguments itself (scale_by_optimizer, whose keys are its base's).
  std::function<std::unique_ptr<Transform>(SpecArgs&)> make_from_args = nullptr;
};

const std::vector<TransformInfo>& transform_registry();
const TransformInfo& transform_info(const std::string& name);  // throws SpecError listing names

// From a SPEC: "name" or "name:key=value,...", and, for any transform, params=[pattern;...]: the
// parameters it applies to, by name (',' separates patterns too). context names where it came
// from in messages ("optimizer 'chain:...' transform 2").
ChainLink make_transform(const std::string& spec, const std::string& context);

}  // namespace descent
