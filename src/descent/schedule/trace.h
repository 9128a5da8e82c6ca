#pragma once
// A schedule's values step by step, as `descent schedule` prints them and the Python module's
// descent.schedule() returns them: row s is the value optimizer step s uses (row 0 the initial
// one). The schedule runs on a one-parameter SGD with momentum 0.9, so that cyclic and onecycle
// have a momentum to cycle.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "descent/schedule/scheduler.h"

namespace descent {

struct ScheduleTrace {
  std::string spec;
  std::string momentum_key;  // empty: the schedule leaves momentum alone
  std::vector<double> lr, momentum;
  std::optional<ScheduleHorizon> horizon;  // how far the schedule plans (scheduler.h)
};

// `metrics` feed reduce_on_plateau: the metric after step s drives row s + 1. Throws SpecError for
// a bad SPEC and std::invalid_argument when the schedule needs more metrics than given.
ScheduleTrace trace_schedule(const std::string& spec, double lr, int64_t steps,
                             const std::vector<double>& metrics = {});

}  // namespace descent
