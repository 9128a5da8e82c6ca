#include "descent/optim/optimizer.h"

#include <stdexcept>

#include "descent/autograd/grad_mode.h"
#include "descent/util/parallel.h"
#include "descent/util/sum_squares_in_pieces.h"

namespace descent {

double ParamGroup::get(const std::string& key) const {
  auto it = options.find(key);
  if (it == options.end())
    throw std::out_of_range("parameter group has no hyper-parameter '" + key + "'");
  return it->second;
}

Tensor& ParamState::buffer(const std::string& name, const Tensor& like) {
  return buffer(name, like.shape());
}

Tensor& ParamState::buffer(const std::string& name, const Shape& shape) {
  auto it = buffers.find(name);
  if (it == buffers.end()) it = buffers.emplace(name, Tensor::zeros(shape)).first;
  return it->second;
}

Optimizer::Optimizer(std::string name, std::vector<HyperparamDef> defs, const Hyperparams& defaults,
                     std::vector<ParamGroup> groups)
    : name_(std::move(name)),
      defs_(with_shared_hyperparams(std::move(defs))),
      defaults_(defaults_of(defs_)) {
  for (const auto& [key, value] : defaults) {
    if (!defaults_.count(key))
      throw std::invalid_argument("optimizer '" + name_ + "': unknown hyper-parameter '" + key +
                                  "'");
    defaults_[key] = value;
  }
  for (auto& g : groups) add_param_group(std::move(g));
}

namespace {

const HyperparamDef& weight_decay_form_def() {
  static const HyperparamDef def =
      choice("weight_decay_form", {"default", "keras", "independent"}, "default");
  return def;
}

enum class DecayForm { Default, Keras, Independent };

}  // namespace

std::vector<HyperparamDef> Optimizer::with_shared_hyperparams(std::vector<HyperparamDef> defs) {
  const auto declares = [&](const std::string& name) {
    for (const auto& d : defs)
      if (d.name == name) return true;
    return false;
  };
  if (declares("weight_decay") && !declares("weight_decay_form"))
    defs.push_back(weight_decay_form_def());
  return defs;
}

double Optimizer::initial_lr(const ParamGroup& group) const {
  for (size_t i = 0; i < groups_.size(); ++i)
    if (&groups_[i] == &group) return initial_lrs_[i];
  return group.options.count("lr") ? group.options.at("lr") : 0.0;
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
  if (!group.names.empty() && group.names.size() != group.params.size())
    throw std::invalid_argument("optimizer '" + name_ + "': a parameter group has " +
                                std::to_string(group.params.size()) + " parameters but " +
                                std::to_string(group.names.size()) + " names");
  fill_defaults(group);
  for (auto& p : group.params) {
    if (!p.requires_grad())
      throw std::invalid_argument("optimizer '" + name_ +
                                  "': a parameter does not require grad (shape " +
                                  to_string(p.shape()) + ")");
    states_.emplace_back();
  }
  initial_lrs_.push_back(group.options.count("lr") ? group.options.at("lr") : 0.0);
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
  size_t index = 0;
  for (ParamGroup& group : groups_) {
    const auto form = group.options.count("weight_decay_form")
                          ? group.choice<DecayForm>(weight_decay_form_def(),
                                                    {{"default", DecayForm::Default},
                                                     {"keras", DecayForm::Keras},
                                                     {"independent", DecayForm::Independent}})
                          : DecayForm::Default;
    const double wd = form == DecayForm::Default ? 0.0 : group.get("weight_decay");
    if (wd == 0.0) {
      for (Tensor& param : group.params) {
        ParamState& state = states_[index];
        if (param.has_grad()) update_measured(group, param, state, index, nullptr);
        ++index;
      }
      continue;
    }
    // The decay here, then the update with weight_decay 0 (restored after, even on a throw).
    const double lr = group.get("lr"), lr0 = initial_lr(group);
    const double rate = form == DecayForm::Keras ? lr : (lr0 > 0 ? lr / lr0 : 1.0);
    const float decay = static_cast<float>(1.0 - wd * rate);
    struct Restore {
      double& slot;
      double value;
      ~Restore() { slot = value; }
    } restore{group.options.at("weight_decay"), wd};
    group.options.at("weight_decay") = 0.0;
    for (Tensor& param : group.params) {
      ParamState& state = states_[index];
      if (param.has_grad()) update_measured(group, param, state, index, &decay);
      ++index;
    }
  }
  return loss;
}

void Optimizer::update_measured(const ParamGroup& group, Tensor& param, ParamState& state,
                                size_t index, const float* decay) {
  const int64_t position =
      measured_ && index < measured_position_.size() ? measured_position_[index] : -1;
  UpdateNorms* norms = position >= 0 ? &(*measured_)[static_cast<size_t>(position)] : nullptr;
  float* p = param.data();
  const int64_t n = param.numel();
  if (norms && !decay && measures_in_update()) {
    measured_in_update_ = norms;
    struct Clear {
      UpdateNorms*& slot;
      ~Clear() { slot = nullptr; }
    } clear{measured_in_update_};
    update(group, param, param.grad_data(), state);
    return;
  }
  if (norms) {
    before_update_.resize(static_cast<size_t>(n));
    norms->before = copy_and_sum_squares_in_pieces(p, before_update_.data(), n);
  }
  if (decay) {
    const float factor = *decay;
    parallel_pieces(n, [p, factor](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) p[i] *= factor;
    });
  }
  update(group, param, param.grad_data(), state);
  if (norms) norms->change = sum_squared_difference_in_pieces(p, before_update_.data(), n);
}

void Optimizer::measure_updates(const std::vector<Tensor>& params, std::vector<UpdateNorms>* out) {
  measured_ = out;
  measured_position_.clear();
  if (!out) return;
  for (const ParamGroup& group : groups_)
    for (const Tensor& param : group.params) {
      int64_t position = -1;
      for (size_t i = 0; i < params.size(); ++i)
        if (params[i].defined() && params[i].data() == param.data())
          position = static_cast<int64_t>(i);
      measured_position_.push_back(position);
    }
  out->resize(params.size());
}

OptimizerState Optimizer::state_dict() const {
  OptimizerState out;
  out.meta["optimizer"] = name_;
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : groups_) {
    nlohmann::json jg;
    jg["options"] = g.options;
    nlohmann::json shapes = nlohmann::json::array();
    for (const auto& p : g.params) shapes.push_back(p.shape());
    jg["param_shapes"] = shapes;
    groups.push_back(jg);
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

namespace {

[[noreturn]] void bad_state(const std::string& what) {
  throw std::invalid_argument("optimizer state: " + what);
}

// A parameter index as the state names it ("3" in "state.3.exp_avg"), below `count`.
size_t state_index(const std::string& text, size_t count, const std::string& in) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    bad_state(in + " does not name a parameter by its index");
  const size_t i = std::stoul(text);
  if (i >= count)
    bad_state(in + " names parameter " + text + ", but there are " + std::to_string(count));
  return i;
}

std::string names_of(const std::map<std::string, Tensor>& buffers) {
  std::string out;
  for (const auto& [name, t] : buffers) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

}  // namespace

ParamState Optimizer::expected_state(const ParamGroup& group, const Tensor& param, size_t,
                                     const ParamState&) {
  NoGradGuard no_grad;
  Tensor scratch = param.clone();
  const std::vector<float> zero_grad(static_cast<size_t>(param.numel()), 0.0f);
  ParamState fresh;
  update(group, scratch, zero_grad.data(), fresh);
  return fresh;
}

void Optimizer::load_state_dict(const OptimizerState& in) {
  if (!in.meta.is_object()) bad_state("the description is not a JSON object");
  const auto name_it = in.meta.find("optimizer");
  const std::string saved_name =
      name_it != in.meta.end() && name_it->is_string() ? name_it->get<std::string>() : "";
  if (saved_name != name_)
    throw std::invalid_argument("optimizer state is for '" + saved_name + "', not '" + name_ + "'");
  const auto groups_it = in.meta.find("param_groups");
  if (groups_it == in.meta.end() || !groups_it->is_array())
    bad_state("param_groups is missing or not a list");
  const auto& groups = *groups_it;
  if (groups.size() != groups_.size())
    throw std::invalid_argument("optimizer state has " + std::to_string(groups.size()) +
                                " parameter groups, this optimizer has " +
                                std::to_string(groups_.size()));
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    const std::string where = "param_groups." + std::to_string(gi);
    if (!groups[gi].is_object() || !groups[gi].contains("param_shapes") ||
        !groups[gi].at("param_shapes").is_array() || !groups[gi].contains("options") ||
        !groups[gi].at("options").is_object())
      bad_state(where + " needs param_shapes (a list) and options (an object)");
    const auto& shapes = groups[gi].at("param_shapes");
    if (shapes.size() != groups_[gi].params.size())
      throw std::invalid_argument("optimizer state: group " + std::to_string(gi) + " has " +
                                  std::to_string(shapes.size()) + " parameters, expected " +
                                  std::to_string(groups_[gi].params.size()));
    for (size_t pi = 0; pi < shapes.size(); ++pi) {
      bool is_shape = shapes[pi].is_array();
      if (is_shape)
        for (const auto& d : shapes[pi]) is_shape = is_shape && d.is_number_integer();
      if (!is_shape) bad_state(where + ".param_shapes." + std::to_string(pi) + " is not a shape");
      if (shapes[pi].get<Shape>() != groups_[gi].params[pi].shape())
        throw std::invalid_argument("optimizer state: group " + std::to_string(gi) + " parameter " +
                                    std::to_string(pi) + " has shape " +
                                    to_string(shapes[pi].get<Shape>()) + ", expected " +
                                    to_string(groups_[gi].params[pi].shape()));
    }
  }
  std::vector<ParamState> states(states_.size());
  const auto state_it = in.meta.find("state");
  if (state_it == in.meta.end() || !state_it->is_object())
    bad_state("state is missing or not an object");
  for (const auto& [key, value] : state_it->items()) {
    const size_t i = state_index(key, states.size(), "state." + key);
    if (!value.is_object()) bad_state("state." + key + " is not an object of numbers");
    for (const auto& [scalar, number] : value.items()) {
      if (!number.is_number())
        bad_state("state." + key + "." + scalar + " is " + number.dump().substr(0, 40) +
                  ", expected a number");
      states[i].scalars[scalar] = number.get<double>();
    }
  }
  for (const auto& nt : in.tensors) {
    // "state.<index>.<buffer>"
    const size_t dot1 = nt.name.find('.'), dot2 = nt.name.find('.', dot1 + 1);
    if (nt.name.rfind("state.", 0) != 0 || dot2 == std::string::npos)
      throw std::invalid_argument("optimizer state: unexpected tensor '" + nt.name + "'");
    const size_t i = state_index(nt.name.substr(dot1 + 1, dot2 - dot1 - 1), states.size(),
                                 "tensor '" + nt.name + "'");
    states[i].buffers[nt.name.substr(dot2 + 1)] = nt.tensor.clone();
  }
  std::vector<ParamGroup> loaded = groups_;
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    Hyperparams options;
    for (const auto& [key, value] : groups[gi].at("options").items()) {
      if (!defaults_.count(key))
        throw std::invalid_argument("optimizer state: unknown hyper-parameter '" + key + "'");
      if (!value.is_number())
        bad_state("param_groups." + std::to_string(gi) + ".options." + key + " is not a number");
      options[key] = value.get<double>();
    }
    loaded[gi].options = options;
    fill_defaults(loaded[gi]);
  }
  // Once stepped, every parameter's state must be whole (every parameter of a model takes part
  // in every step): a missing buffer would silently restart its moments from zero.
  bool stepped = false;
  for (const ParamState& saved : states)
    stepped = stepped || !saved.scalars.empty() || !saved.buffers.empty();
  size_t index = 0;
  for (auto& group : loaded)
    for (auto& param : group.params) {
      const ParamState& saved = states[index];
      const std::string at =
          "parameter " + std::to_string(index) + " (shape " + to_string(param.shape()) + ")";
      if (stepped) {
        const ParamState expected = expected_state(group, param, index, saved);
        for (const auto& [name, t] : expected.buffers) {
          const auto it = saved.buffers.find(name);
          if (it == saved.buffers.end())
            bad_state(at + " has no tensor state." + std::to_string(index) + "." + name + " ('" +
                      name_ + "' keeps " + names_of(expected.buffers) + ")");
          if (it->second.shape() != t.shape())
            bad_state("tensor state." + std::to_string(index) + "." + name + " has shape " +
                      to_string(it->second.shape()) + ", expected " + to_string(t.shape()));
        }
        for (const auto& [name, t] : saved.buffers)
          if (!expected.buffers.count(name))
            bad_state("unexpected tensor state." + std::to_string(index) + "." + name + " ('" +
                      name_ + "' keeps " + names_of(expected.buffers) + " for " + at + ")");
        for (const auto& [name, value] : expected.scalars)
          if (!saved.scalars.count(name))
            bad_state(at + " has no state." + std::to_string(index) + "." + name);
      }
      ++index;
    }
  for (size_t gi = 0; gi < groups_.size(); ++gi) groups_[gi].options = loaded[gi].options;
  states_ = std::move(states);
}

}  // namespace descent
