// descent's optimizers and schedules over numpy arrays: descent._core.Optimizer and
// descent._core.Scheduler, which descent/optim.py dresses as torch.optim's classes.
//
// Parameters are the caller's arrays, shared (arrays.h); each has a gradient buffer of descent's,
// shared back as an array (Optimizer.grads) that a loop fills or that a PyTorch parameter can hold
// as its .grad. step() runs without the GIL.
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/stl.h>

#include "descent/optim/hyperparam_aliases.h"
#include "descent/optim/registry.h"
#include "descent/schedule/registry.h"
#include "descent/util/spec.h"
#include "descent/util/suggest.h"
#include "python/arrays.h"
#include "python/json.h"

namespace descent_python {
namespace {

// An argument as the Python side passes it: a scalar's text, or a list's items.
descent::SpecValue spec_value(const py::handle& value) {
  if (py::isinstance<py::str>(value)) return descent::SpecValue(value.cast<std::string>());
  return descent::SpecValue::list(value.cast<std::vector<std::string>>());
}

// The scalar arguments with PyTorch's and Keras' spellings resolved (betas, learning_rate, ...).
std::map<std::string, descent::SpecValue> resolved_args(const descent::OptimizerInfo& info,
                                                        const py::dict& given,
                                                        const std::string& context) {
  std::map<std::string, std::string> scalars;
  std::map<std::string, descent::SpecValue> args;
  for (const auto& [key, value] : given) {
    descent::SpecValue v = spec_value(value);
    if (v.is_list)
      args[key.cast<std::string>()] = std::move(v);
    else
      scalars[key.cast<std::string>()] = v.text;
  }
  descent::resolve_optimizer_aliases(info, scalars, context);
  for (auto& [key, text] : scalars) args[key] = descent::SpecValue(text);
  return args;
}

const descent::HyperparamDef& find_def(const std::vector<descent::HyperparamDef>& defs,
                                       const std::string& key, const std::string& context) {
  std::vector<std::string> names;
  for (const auto& def : defs) {
    if (def.name == key) return def;
    names.push_back(def.name);
  }
  std::string valid;
  for (const auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
  throw descent::UnknownNameError(context + ": unknown hyper-parameter '" + key + "'" +
                                  descent::did_you_mean(key, names) + " (valid: " + valid + ")");
}

// A hyper-parameter's value as Python shows it: bool, int, a choice's name, or float.
py::object hyperparam_object(const descent::HyperparamDef& def, double value) {
  switch (def.kind) {
    case descent::HyperparamKind::Bool:
      return py::bool_(value != 0);
    case descent::HyperparamKind::Integer:
      return py::int_(static_cast<long long>(value));
    case descent::HyperparamKind::Choice:
      return py::str(descent::choice_name(def, value));
    case descent::HyperparamKind::Real:
      break;
  }
  return py::float_(value);
}

// A Python value as the stored double, checked against the declaration.
double hyperparam_value(const descent::HyperparamDef& def, const py::handle& value,
                        const std::string& context) {
  double v = 0;
  if (def.kind == descent::HyperparamKind::Choice) {
    v = descent::choice_value(context, def, py::str(value));
  } else if (py::isinstance<py::str>(value)) {  // SPEC text, as aliases resolve to
    const std::string text = value.cast<std::string>();
    char* end = nullptr;
    v = std::strtod(text.c_str(), &end);
    if (def.kind == descent::HyperparamKind::Bool && (text == "true" || text == "false"))
      v = text == "true" ? 1 : 0;
    else if (text.empty() || *end != '\0')
      throw std::invalid_argument(context + ": " + def.name + "=" + text + " is not a number");
  } else if (py::isinstance<py::bool_>(value) || py::isinstance<py::int_>(value) ||
             py::isinstance<py::float_>(value) || py::hasattr(value, "__float__")) {
    v = value.cast<double>();
  } else {
    throw std::invalid_argument(context + ": " + def.name + "=" +
                                std::string(py::str(py::repr(value))) + " is not a number");
  }
  descent::check_hyperparam(context, def, v);
  return v;
}

class PyOptimizer {
 public:
  // groups: (parameter arrays, {key: text}) per group; args: the optimizer's keyword arguments.
  PyOptimizer(const std::string& name, const py::list& groups, const py::dict& args) {
    const descent::OptimizerInfo& info = descent::optimizer_info(name);
    context_ = "optimizer '" + info.name + "'";
    const auto defs = descent::Optimizer::with_shared_hyperparams(info.hyperparams);
    std::vector<descent::ParamGroup> param_groups;
    for (size_t g = 0; g < groups.size(); ++g) {
      const auto entry = groups[g].cast<py::tuple>();
      descent::ParamGroup group;
      const auto arrays = entry[0].cast<py::list>();
      for (size_t i = 0; i < arrays.size(); ++i) {
        const std::string what =
            "param_groups[" + std::to_string(g) + "] parameter " + std::to_string(i);
        descent::Tensor p = share_array(arrays[i].cast<py::array>(), what, true);
        p.requires_grad_();
        p.grad_data();  // the gradient buffer Optimizer.grads shares
        group.params.push_back(p);
        params_.push_back(p);
        arrays_.append(arrays[i]);
      }
      const auto group_context = context_ + " param_groups[" + std::to_string(g) + "]";
      for (const auto& [key, text] : resolved_args(info, entry[1].cast<py::dict>(), group_context))
        group.options[key] =
            hyperparam_value(find_def(defs, key, group_context), py::str(text.text), group_context);
      param_groups.push_back(std::move(group));
    }
    descent::SpecArgs spec_args(context_, resolved_args(info, args, context_));
    opt_ = descent::make_optimizer(info.name, std::move(param_groups), spec_args);
  }

  const std::string& name() const { return opt_->name(); }
  descent::Optimizer& optimizer() { return *opt_; }
  py::list params() const { return arrays_; }

  py::list grads() const {
    py::list out;
    for (const auto& p : params_) out.append(share_storage(p.impl()->grad, p.shape()));
    return out;
  }

  void zero_grad() { opt_->zero_grad(); }

  // One update from the gradients in Optimizer.grads, or from `grads` (shared for this step,
  // not copied), or with a closure that fills Optimizer.grads and returns the loss.
  std::optional<float> step(const std::optional<py::list>& grads, const py::object& closure) {
    if (!closure.is_none()) {
      if (grads) throw std::invalid_argument("step(): give grads or a closure, not both");
      descent::Closure c = [&closure]() -> float {
        py::gil_scoped_acquire gil;
        return closure().cast<float>();
      };
      py::gil_scoped_release release;
      return opt_->step(c);
    }
    if (opt_->needs_closure())
      throw std::invalid_argument(opt_->name() +
                                  ": step() needs a closure that computes the loss, fills the "
                                  "gradients and returns the loss");
    if (!grads) {
      py::gil_scoped_release release;
      return opt_->step();
    }
    if (grads->size() != params_.size())
      throw std::invalid_argument("step(): " + std::to_string(grads->size()) + " gradients for " +
                                  std::to_string(params_.size()) + " parameters");
    // The given arrays stand in for the gradient buffers during this step.
    std::vector<descent::Storage> own;
    for (size_t i = 0; i < params_.size(); ++i) {
      const std::string what = "step(): grads[" + std::to_string(i) + "]";
      descent::Tensor g = share_array((*grads)[i].cast<py::array>(), what, false);
      if (g.shape() != params_[i].shape())
        throw std::invalid_argument(what + ": shape does not match its parameter's");
      own.push_back(params_[i].impl()->grad);
      params_[i].impl()->grad = g.impl()->data;
    }
    struct Restore {
      std::vector<descent::Tensor>& params;
      std::vector<descent::Storage>& own;
      ~Restore() {
        for (size_t i = 0; i < params.size(); ++i) params[i].impl()->grad = std::move(own[i]);
      }
    } restore{params_, own};
    py::gil_scoped_release release;
    return opt_->step();
  }

  size_t group_count() const { return opt_->param_groups().size(); }

  py::list group_keys(size_t g) const {
    py::list keys;
    for (const auto& [key, value] : group(g).options) keys.append(key);
    return keys;
  }

  py::object get(size_t g, const std::string& key) const {
    const auto& def = find_def(opt_->hyperparam_defs(), key, context_);
    return hyperparam_object(def, group(g).get(key));
  }

  void set(size_t g, const std::string& key, const py::handle& value) {
    const auto& def = find_def(opt_->hyperparam_defs(), key, context_);
    const double v = hyperparam_value(def, value, context_);
    opt_->param_groups()[checked(g)].options[key] = v;
  }

  py::list group_params(size_t g) const {
    py::list out;
    size_t first = 0;
    for (size_t i = 0; i < checked(g); ++i) first += opt_->param_groups()[i].params.size();
    for (size_t i = 0; i < group(g).params.size(); ++i) out.append(arrays_[first + i]);
    return out;
  }

  py::dict state_dict() const {
    const descent::OptimizerState state = opt_->state_dict();
    py::dict tensors;
    for (const auto& t : state.tensors) tensors[py::str(t.name)] = copy_to_array(t.tensor);
    py::dict out;
    out["meta"] = json_to_python(state.meta);
    out["tensors"] = tensors;
    return out;
  }

  void load_state_dict(const py::dict& state) {
    if (!state.contains("meta") || !state.contains("tensors"))
      throw std::invalid_argument(
          "load_state_dict(): expected the dict state_dict() returns, with 'meta' and 'tensors'");
    descent::OptimizerState in;
    in.meta = json_from_python(state["meta"]);
    for (const auto& [name, value] : state["tensors"].cast<py::dict>()) {
      const std::string n = py::str(name);
      in.tensors.push_back({n, copy_from_array(value, "load_state_dict(): tensor " + n)});
    }
    opt_->load_state_dict(in);
  }

 private:
  size_t checked(size_t g) const {
    if (g >= opt_->param_groups().size())
      throw py::index_error("param group " + std::to_string(g) + " of " +
                            std::to_string(opt_->param_groups().size()));
    return g;
  }
  const descent::ParamGroup& group(size_t g) const { return opt_->param_groups()[checked(g)]; }

  std::string context_;
  std::unique_ptr<descent::Optimizer> opt_;
  std::vector<descent::Tensor> params_;  // every group's, in order
  py::list arrays_;                      // the caller's arrays, in the same order
};

class PyScheduler {
 public:
  // spec: a name or a whole SPEC ("cosine:t_max=100"); args add to the SPEC's arguments.
  PyScheduler(PyOptimizer& opt, const std::string& spec, const py::dict& args,
              const std::string& key) {
    const descent::Spec parsed = descent::parse_spec(spec);
    std::map<std::string, descent::SpecValue> values(parsed.args.begin(), parsed.args.end());
    for (const auto& [k, v] : args) {
      const std::string name = k.cast<std::string>();
      if (values.count(name))
        throw std::invalid_argument("schedule '" + spec + "': " + name + " is given twice");
      values[name] = spec_value(v);
    }
    descent::SpecArgs spec_args("schedule '" + spec + "'", std::move(values));
    sched_ = descent::make_scheduler(parsed.name, spec_args, opt.optimizer(), key);
  }

  void step(const std::optional<double>& metric) {
    if (sched_->needs_metric() && !metric)
      throw std::invalid_argument(sched_->name() + ": step() needs the metric (step(metric))");
    if (metric)
      sched_->step(*metric);
    else
      sched_->step();
  }

  descent::Scheduler& scheduler() { return *sched_; }
  py::object state_dict() const { return json_to_python(sched_->state_dict()); }
  void load_state_dict(const py::handle& state) {
    sched_->load_state_dict(json_from_python(state));
  }

 private:
  std::unique_ptr<descent::Scheduler> sched_;
};

py::list hyperparam_listing(const std::string& name) {
  const auto& info = descent::optimizer_info(name);
  py::list out;
  for (const auto& def : descent::Optimizer::with_shared_hyperparams(info.hyperparams)) {
    py::dict d;
    d["name"] = def.name;
    d["default"] = hyperparam_object(def, def.value);
    d["choices"] = def.choices;
    out.append(d);
  }
  return out;
}

}  // namespace

void bind_optimizers(py::module_& m) {
  py::class_<PyOptimizer>(m, "Optimizer")
      .def(py::init<const std::string&, const py::list&, const py::dict&>(), py::arg("name"),
           py::arg("groups"), py::arg("args"))
      .def_property_readonly("name", &PyOptimizer::name)
      .def_property_readonly("params", &PyOptimizer::params)
      .def_property_readonly("grads", &PyOptimizer::grads)
      .def("zero_grad", &PyOptimizer::zero_grad)
      .def("step", &PyOptimizer::step, py::arg("grads") = py::none(),
           py::arg("closure") = py::none())
      .def("needs_closure", [](PyOptimizer& o) { return o.optimizer().needs_closure(); })
      .def("eval_params", [](PyOptimizer& o) { o.optimizer().eval_params(); })
      .def("train_params", [](PyOptimizer& o) { o.optimizer().train_params(); })
      .def("group_count", &PyOptimizer::group_count)
      .def("group_keys", &PyOptimizer::group_keys)
      .def("group_params", &PyOptimizer::group_params)
      .def("get", &PyOptimizer::get)
      .def("set", &PyOptimizer::set)
      .def("state_dict", &PyOptimizer::state_dict)
      .def("load_state_dict", &PyOptimizer::load_state_dict);

  py::class_<PyScheduler>(m, "Scheduler")
      .def(py::init<PyOptimizer&, const std::string&, const py::dict&, const std::string&>(),
           py::arg("optimizer"), py::arg("spec"), py::arg("args"), py::arg("key"),
           py::keep_alive<1, 2>())
      .def("step", &PyScheduler::step, py::arg("metric") = py::none())
      .def_property_readonly("name", [](PyScheduler& s) { return s.scheduler().name(); })
      .def_property_readonly("key", [](PyScheduler& s) { return s.scheduler().key(); })
      .def_property_readonly("last_epoch",
                             [](PyScheduler& s) { return s.scheduler().last_epoch(); })
      .def("last_values", [](PyScheduler& s) { return s.scheduler().last_values(); })
      .def("base_values", [](PyScheduler& s) { return s.scheduler().base_values(); })
      .def("needs_metric", [](PyScheduler& s) { return s.scheduler().needs_metric(); })
      .def("state_dict", &PyScheduler::state_dict)
      .def("load_state_dict", &PyScheduler::load_state_dict);

  m.def("optimizer_names", [] {
    std::vector<std::string> names;
    for (const auto& info : descent::optimizer_registry()) names.push_back(info.name);
    return names;
  });
  m.def("optimizer_hyperparams", &hyperparam_listing, py::arg("name"));
  m.def("schedule_names", [] { return descent::scheduler_names(); });
}

}  // namespace descent_python
