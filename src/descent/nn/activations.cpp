#include "descent/nn/activations.h"

#include <stdexcept>
#include <string>

namespace descent {
namespace {

const ActivationEntry& entry_named(std::string_view name) {
  const ActivationEntry* e = find_activation(name);
  if (!e) throw std::invalid_argument("unknown activation '" + std::string(name) + "'");
  return *e;
}

}  // namespace

Activation::Activation(std::string_view name, std::initializer_list<float> args)
    : entry_(&entry_named(name)), args_(activation_args(*entry_, args)) {}

std::string Activation::describe() const {
  std::string shown;
  for (size_t i = 0; i < entry_->params.size(); ++i) {
    const ActivationParam& p = entry_->params[i];
    if (!p.described) continue;
    shown += (shown.empty() ? "" : ", ") + std::string(p.name) + "=" + std::to_string(args_[i]);
  }
  return shown.empty() ? entry_->module_name : entry_->module_name + ("(" + shown + ")");
}

}  // namespace descent
