#pragma once
// The hyper-parameter spellings PyTorch and Keras users type, resolved to descent's one name
// before an optimizer reads its arguments (the saved config.toml then holds the canonical name):
//   learning_rate -> lr, epsilon -> eps, beta_1 -> beta1, beta_2 -> beta2   (Keras)
//   betas=(0.9,0.999) -> beta1=0.9, beta2=0.999                           (PyTorch's tuple)
//   rho -> alpha for rmsprop                                               (Keras' RMSprop)
// An alias applies only to an optimizer that has the parameter it stands for; elsewhere it stays
// an unknown key, reported as such.
#include <map>
#include <string>
#include <vector>

#include "descent/optim/hyperparams.h"

namespace descent {

struct HyperparamAlias {
  std::string alias, name;
  std::string optimizer;  // empty: every optimizer with `name`
};

const std::vector<HyperparamAlias>& hyperparam_aliases();

// Rewrites the aliases in `args` (key -> value text) to the names `optimizer`'s `defs` declare.
// Throws SpecError, prefixed with `context`, when an alias and its name are both given or betas
// is not two numbers.
void resolve_hyperparam_aliases(const std::string& optimizer,
                                const std::vector<HyperparamDef>& defs,
                                std::map<std::string, std::string>& args,
                                const std::string& context);

}  // namespace descent
