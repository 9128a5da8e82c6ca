#pragma once
// Whether a schedule's plan fits the run that steps it (ScheduleHorizon, scheduler.h). A decay
// planned to end with the run must be as long as the run: shorter, and past its end a cosine climbs
// back up, onecycle fails, a polynomial sits at 0; longer, and the run stops before the decay is
// done. A phase (a warmup, milestones) must end within the run. Said before training starts, as a
// run cannot tell afterwards which of its steps the user meant to have.
#include <cstdint>
#include <string>

#include "descent/schedule/scheduler.h"

namespace descent {

// What does not fit, in words with the setting that fixes it, or "" when the horizon fits (or the
// schedule has none). `run` is the run's length in the schedule's own steps, `unit` their name
// ("optimizer step", "epoch"), `table` where the schedule's arguments are set ("schedule").
std::string horizon_mismatch(const Scheduler& schedule, int64_t run, const std::string& unit,
                             const std::string& table);

}  // namespace descent
