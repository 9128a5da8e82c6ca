#pragma once
// Schedules by name: one entry per family with its argument declarations (schedule_args.h), a
// one-line description and its constructor from the read arguments. The names, the "unknown
// schedule" and "missing required key" messages, the defaults and `descent schedule --list` all
// come from this table.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"
#include "descent/util/spec.h"

namespace descent {

struct ScheduleInfo {
  using Make = std::function<std::unique_ptr<Scheduler>(const ScheduleArgs&, Optimizer&,
                                                        const std::string& key, InitialValues)>;
  std::string name;
  std::vector<ScheduleArgDef> args;
  std::string description;
  Make make;
};

const std::vector<ScheduleInfo>& schedule_registry();
// Throws SpecError "schedule 'NAME': unknown (valid names: step, multistep, ...)".
const ScheduleInfo& schedule_info(const std::string& name);

// Every name make_scheduler accepts, in the registry's order.
const std::vector<std::string>& scheduler_names();

// Builds the named schedule on opt's groups for hyper-parameter key from arguments already parsed
// (from a SPEC string or a config table); it takes its initial step at once (the groups then hold
// the value for the first optimizer step). A null `initial` starts a fresh InitialValues; pass
// one to share it with other schedules on the same groups (PyTorch's initial_lr). Unknown keys
// in args throw SpecError naming args.context() and listing the valid keys.
std::unique_ptr<Scheduler> make_scheduler(const std::string& name, SpecArgs& args, Optimizer& opt,
                                          const std::string& key = "lr",
                                          InitialValues initial = nullptr);

}  // namespace descent
