#include "descent/schedule/factory.h"

#include <cmath>

#include "descent/schedule/chained.h"
#include "descent/schedule/constant.h"
#include "descent/schedule/cosine.h"
#include "descent/schedule/cosine_restarts.h"
#include "descent/schedule/cyclic.h"
#include "descent/schedule/exponential.h"
#include "descent/schedule/exponential_epoch.h"
#include "descent/schedule/inverse_sqrt.h"
#include "descent/schedule/inverse_time.h"
#include "descent/schedule/inverse_time_decay.h"
#include "descent/schedule/linear.h"
#include "descent/schedule/linear_then_constant.h"
#include "descent/schedule/linear_warmup.h"
#include "descent/schedule/multiplicative.h"
#include "descent/schedule/multistep.h"
#include "descent/schedule/onecycle.h"
#include "descent/schedule/piecewise_constant.h"
#include "descent/schedule/polynomial.h"
#include "descent/schedule/reduce_on_plateau.h"
#include "descent/schedule/sequential.h"
#include "descent/schedule/step.h"
#include "descent/util/spec.h"

namespace descent {
namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string list_names() {
  std::string out;
  for (const auto& n : scheduler_names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// A required argument: absent throws naming it.
void require(SpecArgs& a, const std::string& key) {
  if (!a.has(key)) throw SpecError(a.context() + ": missing required key '" + key + "'");
}

std::vector<int64_t> int_list(SpecArgs& a, const std::string& key) {
  std::vector<int64_t> out;
  for (double d : a.get_list(key, {})) {
    if (d != std::floor(d)) throw SpecError(a.context() + ": " + key + " must hold integers");
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

std::string choice(SpecArgs& a, const std::string& key, const std::vector<std::string>& choices) {
  const std::string v = a.get_string(key, choices[0]);
  std::string all;
  for (const auto& c : choices) {
    if (v == c) return v;
    all += (all.empty() ? "" : ", ") + c;
  }
  throw SpecError(a.context() + ": " + key + "=" + v + " is not valid (expected one of " + all +
                  ")");
}

std::vector<std::unique_ptr<Scheduler>> build_children(SpecArgs& a, Optimizer& opt,
                                                       const std::string& key,
                                                       const InitialValues& initial) {
  require(a, "schedulers");
  std::vector<std::unique_ptr<Scheduler>> out;
  for (const std::string& part : split_schedule_list(a.get_string("schedulers", ""), a.context()))
    out.push_back(make_scheduler(part, opt, key, initial));
  return out;
}

std::unique_ptr<Scheduler> build(const Spec& spec, SpecArgs& a, Optimizer& opt,
                                 const std::string& key, const InitialValues& init) {
  const std::string& n = spec.name;
  if (n == "step") {
    require(a, "step_size");
    const int64_t step_size = a.get_int("step_size", 0);
    return std::make_unique<StepScheduler>(opt, step_size, a.get_double("gamma", 0.1), key, init);
  }
  if (n == "multistep") {
    require(a, "milestones");
    const auto milestones = int_list(a, "milestones");
    return std::make_unique<MultiStepScheduler>(opt, milestones, a.get_double("gamma", 0.1), key,
                                                init);
  }
  if (n == "exponential") {
    require(a, "gamma");
    return std::make_unique<ExponentialScheduler>(opt, a.get_double("gamma", 1), key, init);
  }
  if (n == "cosine") {
    require(a, "t_max");
    const int64_t t_max = a.get_int("t_max", 1);
    return std::make_unique<CosineScheduler>(opt, t_max, a.get_double("eta_min", 0), key, init);
  }
  if (n == "cosine_restarts") {
    require(a, "t_0");
    const int64_t t_0 = a.get_int("t_0", 1), t_mult = a.get_int("t_mult", 1);
    return std::make_unique<CosineRestartsScheduler>(opt, t_0, t_mult, a.get_double("eta_min", 0),
                                                     key, init);
  }
  if (n == "cyclic") {
    require(a, "max_lr");
    CyclicScheduler::Options o;
    if (a.has("base_lr")) o.base_lr = a.get_double("base_lr", 0);
    o.max_lr = a.get_double("max_lr", 0);
    o.step_size_up = a.get_double("step_size_up", 2000);
    if (a.has("step_size_down")) o.step_size_down = a.get_double("step_size_down", 0);
    const std::string mode = choice(a, "mode", {"triangular", "triangular2", "exp_range"});
    o.mode = mode == "triangular"    ? CyclicScheduler::Mode::Triangular
             : mode == "triangular2" ? CyclicScheduler::Mode::Triangular2
                                     : CyclicScheduler::Mode::ExpRange;
    o.gamma = a.get_double("gamma", 1.0);
    o.cycle_momentum = a.get_bool("cycle_momentum", true);
    o.base_momentum = a.get_double("base_momentum", 0.8);
    o.max_momentum = a.get_double("max_momentum", 0.9);
    return std::make_unique<CyclicScheduler>(opt, o, key, init);
  }
  if (n == "onecycle") {
    require(a, "max_lr");
    OneCycleScheduler::Options o;
    o.max_lr = a.get_double("max_lr", 0);
    if (a.has("total_steps")) {
      o.total_steps = a.get_int("total_steps", 0);
    } else {
      if (!a.has("epochs") || !a.has("steps_per_epoch"))
        throw SpecError(a.context() + ": needs total_steps, or epochs and steps_per_epoch");
      o.total_steps = a.get_int("epochs", 0) * a.get_int("steps_per_epoch", 0);
    }
    a.get_int("epochs", 0);  // accepted either way
    a.get_int("steps_per_epoch", 0);
    o.pct_start = a.get_double("pct_start", 0.3);
    o.linear = choice(a, "anneal_strategy", {"cos", "linear"}) == "linear";
    o.cycle_momentum = a.get_bool("cycle_momentum", true);
    o.base_momentum = a.get_double("base_momentum", 0.85);
    o.max_momentum = a.get_double("max_momentum", 0.95);
    o.div_factor = a.get_double("div_factor", 25.);
    o.final_div_factor = a.get_double("final_div_factor", 1e4);
    o.three_phase = a.get_bool("three_phase", false);
    return std::make_unique<OneCycleScheduler>(opt, o, key, init);
  }
  if (n == "linear")
    return std::make_unique<LinearScheduler>(opt, a.get_double("start_factor", 1.0 / 3),
                                             a.get_double("end_factor", 1.0),
                                             a.get_int("total_iters", 5), key, init);
  if (n == "constant")
    return std::make_unique<ConstantScheduler>(opt, a.get_double("factor", 1.0 / 3),
                                               a.get_int("total_iters", 5), key, init);
  if (n == "polynomial")
    return std::make_unique<PolynomialScheduler>(opt, a.get_int("total_iters", 5),
                                                 a.get_double("power", 1.0), key, init);
  if (n == "multiplicative") {
    require(a, "factor");
    return std::make_unique<MultiplicativeScheduler>(opt, a.get_double("factor", 1), key, init);
  }
  if (n == "sequential") {
    auto children = build_children(a, opt, key, init);
    require(a, "milestones");
    return std::make_unique<SequentialScheduler>(opt, std::move(children),
                                                 int_list(a, "milestones"), key, init);
  }
  if (n == "chained")
    return std::make_unique<ChainedScheduler>(opt, build_children(a, opt, key, init), key, init);
  if (n == "reduce_on_plateau") {
    ReduceOnPlateauScheduler::Options o;
    o.max_mode = choice(a, "mode", {"min", "max"}) == "max";
    o.factor = a.get_double("factor", 0.1);
    o.patience = a.get_int("patience", 10);
    o.threshold = a.get_double("threshold", 1e-4);
    o.abs_threshold = choice(a, "threshold_mode", {"rel", "abs"}) == "abs";
    o.cooldown = a.get_int("cooldown", 0);
    const auto raw = spec.args.find("min_lr");
    if (raw != spec.args.end() && trim(raw->second).rfind('[', 0) == 0)
      o.min_lr = a.get_list("min_lr", {});
    else
      o.min_lr = {a.get_double("min_lr", 0.0)};
    o.eps = a.get_double("eps", 1e-8);
    return std::make_unique<ReduceOnPlateauScheduler>(opt, o, key, init);
  }
  if (n == "inverse_time")
    return std::make_unique<InverseTimeScheduler>(opt, a.get_double("decay", 1.0),
                                                  a.get_int("steps_per_epoch", 1), key, init);
  if (n == "inverse_time_decay")
    return std::make_unique<InverseTimeDecayScheduler>(opt, a.get_double("decay_rate", 1.0),
                                                       a.get_double("decay_steps", 1.0),
                                                       a.get_bool("staircase", false), key, init);
  if (n == "inverse_sqrt")
    return std::make_unique<InverseSqrtScheduler>(opt, a.get_int("warmup_steps", 0),
                                                  a.get_double("start_factor", 0.0),
                                                  a.get_int("steps_per_epoch", 1), key, init);
  if (n == "exponential_epoch") {
    require(a, "gamma");
    return std::make_unique<ExponentialEpochScheduler>(opt, a.get_double("gamma", 1),
                                                       a.get_int("steps_per_epoch", 1), key, init);
  }
  if (n == "piecewise_constant") {
    require(a, "boundaries");
    if (a.has("values") == a.has("factors"))
      throw SpecError(a.context() + ": give either values or factors (one more than boundaries)");
    const bool relative = a.has("factors");
    const auto values = a.get_list(relative ? "factors" : "values", {});
    a.get_list(relative ? "values" : "factors", {});  // accepted, absent
    return std::make_unique<PiecewiseConstantScheduler>(opt, int_list(a, "boundaries"), values,
                                                        relative, key, init);
  }
  if (n == "linear_then_constant") {
    require(a, "tau");
    std::optional<double> eps_tau;
    if (a.has("eps_tau")) eps_tau = a.get_double("eps_tau", 0);
    if (a.has("eps_tau") && a.has("final_factor"))
      throw SpecError(a.context() + ": give eps_tau or final_factor, not both");
    return std::make_unique<LinearThenConstantScheduler>(
        opt, a.get_int("tau", 1), eps_tau, a.get_double("final_factor", 0.01), key, init);
  }
  if (n == "linear_warmup")
    return std::make_unique<LinearWarmupScheduler>(opt, a.get_int("warmup_steps", 5),
                                                   a.get_double("start_factor", 0.1), key, init);
  throw SpecError("schedule '" + n + "': unknown (valid names: " + list_names() + ")");
}

}  // namespace

const std::vector<std::string>& scheduler_names() {
  static const std::vector<std::string> names = {"step",
                                                 "multistep",
                                                 "exponential",
                                                 "cosine",
                                                 "cosine_restarts",
                                                 "cyclic",
                                                 "onecycle",
                                                 "linear",
                                                 "constant",
                                                 "polynomial",
                                                 "multiplicative",
                                                 "sequential",
                                                 "chained",
                                                 "reduce_on_plateau",
                                                 "inverse_time",
                                                 "inverse_time_decay",
                                                 "inverse_sqrt",
                                                 "exponential_epoch",
                                                 "piecewise_constant",
                                                 "linear_then_constant",
                                                 "linear_warmup"};
  return names;
}

std::vector<std::string> split_schedule_list(const std::string& text, const std::string& context) {
  const std::string t = trim(text);
  if (t.size() < 2 || t.front() != '[' || t.back() != ']')
    throw SpecError(context + ": schedulers=" + text +
                    " is not valid (expected a list in brackets, e.g. [linear:total_iters=5;"
                    "cosine:t_max=95])");
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  for (char c : t.substr(1, t.size() - 2)) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ';' && depth == 0) {
      parts.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(trim(current));
  for (const auto& p : parts)
    if (p.empty()) throw SpecError(context + ": an empty schedule in schedulers=" + text);
  return parts;
}

std::unique_ptr<Scheduler> make_scheduler(const std::string& spec, Optimizer& opt,
                                          const std::string& key, InitialValues initial) {
  const Spec parsed = parse_spec(spec);
  SpecArgs args("schedule '" + spec + "'", parsed.args);
  if (!initial) initial = make_initial_values();
  // finish() can only run after build() has asked for the keys; a typo is an error either way.
  std::unique_ptr<Scheduler> s = build(parsed, args, opt, key, initial);
  args.finish();
  return s;
}

std::unique_ptr<Scheduler> make_scheduler(const std::string& spec, Optimizer& opt,
                                          const std::string& key) {
  return make_scheduler(spec, opt, key, make_initial_values());
}

}  // namespace descent
