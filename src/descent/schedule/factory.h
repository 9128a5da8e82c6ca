#pragma once
// Schedules by SPEC string: "name:key=value,..." with PyTorch's argument names in lower case
// ("cosine:t_max=95,eta_min=1e-5", "multistep:milestones=[30,60,90],gamma=0.1").
// Compositions hold their parts in a bracket list separated by ';':
//   sequential:schedulers=[linear:start_factor=0.1,total_iters=5;cosine:t_max=95],milestones=[5]
//   chained:schedulers=[constant:factor=0.5,total_iters=3;exponential:gamma=0.9]
// (';' splits only at the list's own depth, so compositions nest). The string is parsed once,
// here, and built by the registry (registry.h: names, arguments, make_scheduler from parsed
// arguments). Unknown names and keys throw SpecError listing the valid ones. See
// docs/schedules.md.
#include <memory>
#include <string>

#include "descent/schedule/registry.h"
#include "descent/schedule/scheduler.h"

namespace descent {

// Builds the schedule on opt's groups for hyper-parameter key; it takes its initial step at once
// (the groups then hold the value for the first optimizer step).
std::unique_ptr<Scheduler> make_scheduler(const std::string& spec, Optimizer& opt,
                                          const std::string& key = "lr");

// The same, sharing `initial` with other schedules on the same groups (PyTorch's initial_lr).
std::unique_ptr<Scheduler> make_scheduler(const std::string& spec, Optimizer& opt,
                                          const std::string& key, InitialValues initial);

}  // namespace descent
