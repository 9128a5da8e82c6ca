#include "descent/schedule/trace.h"

#include <stdexcept>

#include "descent/optim/sgd.h"
#include "descent/schedule/factory.h"

namespace descent {

ScheduleTrace trace_schedule(const std::string& spec, double lr, int64_t steps,
                             const std::vector<double>& metrics) {
  ParamGroup group;
  group.params.push_back(Tensor::zeros({1}).requires_grad_());
  group.options["lr"] = lr;
  Hyperparams h = SGD::default_hyperparams();
  h["momentum"] = 0.9;
  SGD opt({group}, h);
  auto sched = make_scheduler(spec, opt);
  if (sched->needs_metric() && static_cast<int64_t>(metrics.size()) < steps - 1)
    throw std::invalid_argument("schedule '" + spec + "' needs at least " +
                                std::to_string(steps - 1) + " metrics (one per step)");
  ScheduleTrace trace;
  trace.spec = spec;
  trace.momentum_key = sched->momentum_key();
  trace.horizon = sched->horizon();
  for (int64_t s = 0; s < steps; ++s) {
    if (s > 0) {
      if (sched->needs_metric())
        sched->step(metrics[s - 1]);
      else
        sched->step();
    }
    trace.lr.push_back(sched->values()[0]);
    if (!trace.momentum_key.empty())
      trace.momentum.push_back(opt.param_groups()[0].get(trace.momentum_key));
  }
  return trace;
}

}  // namespace descent
