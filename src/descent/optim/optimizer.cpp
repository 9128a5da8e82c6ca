#include "descent/optim/optimizer.h"

#include <stdexcept>

#include "descent/autograd/grad_mode.h"

namespace descent {

double ParamGroup::get(const std::string& key) const {
  auto it = options.find(key);
  if (it == options.end())
    throw std::out_of_range("parameter group has no hyper-parameter '" + key + "'");
  return it->second;
}

Tensor& ParamState::buffer(const std::string& name, const Tensor& like) {
  auto it = buffers.find(name);
  if (it == buffers.end()) it = buffers.emplace(name, Tensor::zeros(like.shape())).first;
  return it->second;
}

Optimizer::Optimizer(std::string name, std::vector<HyperparamDef> defs, const Hyperparams& defaults,
                     std::vector<ParamGroup> groups)
    : name_(std::move(name)), defs_(std::move(defs)), defaults_(defaults_of(defs_)) {
  for (const auto& [key, value] : defaults) {
    if (!defaults_.count(key))
      throw std::invalid_argument("optimizer '" + name_ + "': unknown hyper-parameter '" + key +
                                  "'");
    defaults_[key] = value;
  }
  for (auto& g : groups) add_param_group(std::move(g));
}

void Optimizer::fill_defaults(ParamGroup& group) const {
  for (const auto& [key, value] : group.options)
    if (!defaults_.count(key))
      throw std::invalid_argument("optimizer '" + name_ + "': unknown hyper-parameter '" + key +
                                  "' in a parameter group");
  for (const auto& [key, value] : defaults_) group.options.emplace(key, value);
  for (const auto& def : defs_)
    check_hyperparam("optimizer '" + name_ + "'", def, group.options.at(def.name));
}

void Optimizer::add_param_group(ParamGroup group) {
  fill_defaults(group);
  for (auto& p : group.params) {
    if (!p.requires_grad())
      throw std::invalid_argument("optimizer '" + name_ +
                                  "': a parameter does not require grad (shape " +
                                  to_string(p.shape()) + ")");
    states_.emplace_back();
  }
  groups_.push_back(std::move(group));
}

void Optimizer::zero_grad() {
  for (auto& g : groups_)
    for (auto& p : g.params) p.zero_grad();
}

std::optional<float> Optimizer::step(const Closure& closure) {
  std::optional<float> loss;
  if (closure) loss = closure();
  NoGradGuard no_grad;
  for_each_param([this](const ParamGroup& group, Tensor& param, ParamState& state) {
    update(group, param, param.grad_data(), state);
  });
  return loss;
}

OptimizerState Optimizer::state_dict() const {
  OptimizerState out;
  out.meta["optimizer"] = name_;
  nlohmann::json groups = nlohmann::json::array();
  size_t index = 0;
  for (const auto& g : groups_) {
    nlohmann::json jg;
    jg["options"] = g.options;
    nlohmann::json shapes = nlohmann::json::array();
    for (const auto& p : g.params) shapes.push_back(p.shape());
    jg["param_shapes"] = shapes;
    groups.push_back(jg);
    index += g.params.size();
  }
  out.meta["param_groups"] = groups;
  nlohmann::json scalars = nlohmann::json::object();
  for (size_t i = 0; i < states_.size(); ++i) {
    if (!states_[i].scalars.empty()) scalars[std::to_string(i)] = states_[i].scalars;
    for (const auto& [name, t] : states_[i].buffers)
      out.tensors.push_back({"state." + std::to_string(i) + "." + name, t.clone()});
  }
  out.meta["state"] = scalars;
  return out;
}

void Optimizer::load_state_dict(const OptimizerState& in) {
  const std::string saved_name = in.meta.value("optimizer", "");
  if (saved_name != name_)
    throw std::invalid_argument("optimizer state is for '" + saved_name + "', not '" + name_ + "'");
  const auto& groups = in.meta.at("param_groups");
  if (groups.size() != groups_.size())
    throw std::invalid_argument("optimizer state has " + std::to_string(groups.size()) +
                                " parameter groups, this optimizer has " +
                                std::to_string(groups_.size()));
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    const auto& shapes = groups[gi].at("param_shapes");
    if (shapes.size() != groups_[gi].params.size())
      throw std::invalid_argument("optimizer state: group " + std::to_string(gi) + " has " +
                                  std::to_string(shapes.size()) + " parameters, expected " +
                                  std::to_string(groups_[gi].params.size()));
    for (size_t pi = 0; pi < shapes.size(); ++pi)
      if (shapes[pi].get<Shape>() != groups_[gi].params[pi].shape())
        throw std::invalid_argument("optimizer state: group " + std::to_string(gi) + " parameter " +
                                    std::to_string(pi) + " has shape " +
                                    to_string(shapes[pi].get<Shape>()) + ", expected " +
                                    to_string(groups_[gi].params[pi].shape()));
  }
  std::vector<ParamState> states(states_.size());
  for (const auto& [key, value] : in.meta.at("state").items()) {
    const size_t i = std::stoul(key);
    if (i >= states.size()) throw std::invalid_argument("optimizer state: no parameter " + key);
    states[i].scalars = value.get<std::map<std::string, double>>();
  }
  std::vector<Tensor> flat;
  for (auto& g : groups_)
    for (auto& p : g.params) flat.push_back(p);
  for (const auto& nt : in.tensors) {
    // "state.<index>.<buffer>"
    const size_t dot1 = nt.name.find('.'), dot2 = nt.name.find('.', dot1 + 1);
    if (nt.name.rfind("state.", 0) != 0 || dot2 == std::string::npos)
      throw std::invalid_argument("optimizer state: unexpected tensor '" + nt.name + "'");
    const size_t i = std::stoul(nt.name.substr(dot1 + 1, dot2 - dot1 - 1));
    if (i >= states.size())
      throw std::invalid_argument("optimizer state: tensor '" + nt.name + "' names no parameter");
    states[i].buffers[nt.name.substr(dot2 + 1)] = nt.tensor.clone();
  }
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    Hyperparams options = groups[gi].at("options").get<Hyperparams>();
    for (const auto& [key, value] : options)
      if (!defaults_.count(key))
        throw std::invalid_argument("optimizer state: unknown hyper-parameter '" + key + "'");
    groups_[gi].options = options;
    fill_defaults(groups_[gi]);
  }
  states_ = std::move(states);
}

}  // namespace descent
