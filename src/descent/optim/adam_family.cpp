#include "descent/optim/adam_family.h"

namespace descent {

AdamFamilyOptions AdamFamilyOptions::from(const ParamGroup& group) {
  return {group.get("lr"),  group.get("beta1"),        group.get("beta2"),
          group.get("eps"), group.get("weight_decay"), group.flag("maximize")};
}

std::vector<HyperparamDef> adam_family_hyperparams(double lr, double eps, double weight_decay) {
  return {non_negative("lr", lr), unit_interval("beta1", 0.9), unit_interval("beta2", 0.999),
          non_negative("eps", eps), non_negative("weight_decay", weight_decay)};
}

}  // namespace descent
