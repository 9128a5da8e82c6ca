#pragma once
// What the Adam family (adam, adamw, adamax, nadam, radam, adabelief, yogi, lamb) has in common:
// the hyper-parameters lr, beta1, beta2, eps and weight_decay, with maximize, read from a group
// into one typed value, and the declarations of the first five.
#include <vector>

#include "descent/optim/optimizer.h"

namespace descent {

struct AdamFamilyOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool maximize = false;
  static AdamFamilyOptions from(const ParamGroup& group);
};

// lr, beta1 (0.9), beta2 (0.999), eps and weight_decay, with the given defaults, in that order.
std::vector<HyperparamDef> adam_family_hyperparams(double lr, double eps, double weight_decay);

}  // namespace descent
