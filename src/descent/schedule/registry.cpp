#include "descent/schedule/registry.h"

#include "descent/util/suggest.h"

// includes: PyTorch's families
#include "descent/schedule/chained.h"
#include "descent/schedule/constant.h"
#include "descent/schedule/cosine.h"
#include "descent/schedule/cosine_restarts.h"
#include "descent/schedule/cyclic.h"
#include "descent/schedule/exponential.h"
#include "descent/schedule/linear.h"
#include "descent/schedule/multiplicative.h"
#include "descent/schedule/multistep.h"
#include "descent/schedule/onecycle.h"
#include "descent/schedule/polynomial.h"
#include "descent/schedule/reduce_on_plateau.h"
#include "descent/schedule/sequential.h"
#include "descent/schedule/step.h"
// includes: the notes' and Keras' closed forms
#include "descent/schedule/exponential_epoch.h"
#include "descent/schedule/inverse_sqrt.h"
#include "descent/schedule/inverse_time.h"
#include "descent/schedule/inverse_time_decay.h"
#include "descent/schedule/linear_then_constant.h"
#include "descent/schedule/linear_warmup.h"
#include "descent/schedule/piecewise_constant.h"
// includes: what training recipes use now (optax, Keras, recent papers)
#include "descent/schedule/piecewise_linear.h"
#include "descent/schedule/polynomial_decay.h"
#include "descent/schedule/rex.h"
#include "descent/schedule/warmup_cosine.h"
#include "descent/schedule/wsd.h"

namespace descent {
namespace {

// A family declares its arguments (T::spec_args()) and builds itself from them (T::from_args).
template <class T>
ScheduleInfo entry(const std::string& name, const std::string& description) {
  return {name, T::spec_args(), description, &T::from_args};
}

}  // namespace

const std::vector<ScheduleInfo>& schedule_registry() {
  static const std::vector<ScheduleInfo> registry = {
      entry<StepScheduler>("step", "PyTorch StepLR: v_0 gamma^floor(t / step_size)"),
      entry<MultiStepScheduler>("multistep",
                                "PyTorch MultiStepLR: v_0 gamma^(number of milestones <= t)"),
      entry<ExponentialScheduler>("exponential", "PyTorch ExponentialLR: v_0 gamma^t"),
      entry<CosineScheduler>("cosine",
                             "PyTorch CosineAnnealingLR: v_0 down to eta_min over t_max steps"),
      entry<CosineRestartsScheduler>("cosine_restarts",
                                     "PyTorch CosineAnnealingWarmRestarts (SGDR)"),
      entry<CyclicScheduler>("cyclic", "PyTorch CyclicLR, per batch; cycles momentum too"),
      entry<OneCycleScheduler>("onecycle", "PyTorch OneCycleLR, per batch; cycles momentum too"),
      entry<LinearScheduler>("linear", "PyTorch LinearLR: v_0 from start_factor to end_factor"),
      entry<ConstantScheduler>("constant", "PyTorch ConstantLR: v_0 factor until total_iters"),
      entry<PolynomialScheduler>("polynomial", "PyTorch PolynomialLR: v_0 (1 - t / T)^power"),
      entry<MultiplicativeScheduler>("multiplicative", "PyTorch MultiplicativeLR: v_{t-1} factor"),
      entry<SequentialScheduler>("sequential",
                                 "PyTorch SequentialLR: part i between milestones i-1 and i"),
      entry<ChainedScheduler>("chained", "PyTorch ChainedScheduler: every part steps each time"),
      entry<ReduceOnPlateauScheduler>(
          "reduce_on_plateau",
          "PyTorch ReduceLROnPlateau: v factor after patience bad steps (needs a metric)"),
      // entries: the notes' and Keras' closed forms
      entry<InverseTimeScheduler>("inverse_time", "notes: v_0 (1 + decay) / (1 + decay epoch)"),
      entry<InverseTimeDecayScheduler>("inverse_time_decay",
                                       "Keras InverseTimeDecay: v_0 / (1 + rate t / steps)"),
      entry<InverseSqrtScheduler>("inverse_sqrt", "notes, Transformer: v_0 / sqrt(t), warmup"),
      entry<ExponentialEpochScheduler>("exponential_epoch",
                                       "notes: v_0 gamma^(epoch - 1), epoch from 1"),
      entry<PiecewiseConstantScheduler>("piecewise_constant",
                                        "notes, Keras PiecewiseConstantDecay: a value per span"),
      entry<LinearThenConstantScheduler>("linear_then_constant",
                                         "notes (Goodfellow 8.3.1): linear to v_tau, then v_tau"),
      entry<LinearWarmupScheduler>("linear_warmup", "Goyal et al.: v_0 start_factor up to v_0"),
      // entries: what training recipes use now
      entry<WsdScheduler>("wsd", "warmup-stable-decay (MiniCPM): warmup, hold, decay at the end"),
      entry<WarmupCosineScheduler>("warmup_cosine",
                                   "optax warmup_cosine_decay_schedule: warmup, cosine, hold"),
      entry<RexScheduler>("rex", "REX (Chen et al. 2022): v_0 (1 - z) / (1 - z / 2), z = t / T"),
      entry<PolynomialDecayScheduler>(
          "polynomial_decay", "Keras PolynomialDecay: to end_factor over decay_steps, or cycling"),
      entry<PiecewiseLinearScheduler>(
          "piecewise_linear", "optax piecewise interpolation: straight lines through points"),
  };
  return registry;
}

const ScheduleInfo& schedule_info(const std::string& name) {
  for (const auto& info : schedule_registry())
    if (same_ignoring_case(info.name, name)) return info;
  std::string valid;
  for (const auto& n : scheduler_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw UnknownNameError("schedule '" + name + "': unknown" + did_you_mean(name, scheduler_names()) +
                  " (valid names: " + valid + ")");
}

const std::vector<std::string>& scheduler_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& info : schedule_registry()) out.push_back(info.name);
    return out;
  }();
  return names;
}

std::unique_ptr<Scheduler> make_scheduler(const std::string& name, SpecArgs& args, Optimizer& opt,
                                          const std::string& key, InitialValues initial) {
  const ScheduleInfo& info = schedule_info(name);
  const ScheduleArgs values = read_schedule_args(info.args, args);
  args.finish();  // every declared key has been read: any other is a typo
  return info.make(values, opt, key, initial ? std::move(initial) : make_initial_values());
}

}  // namespace descent
