#include "descent/schedule/horizon.h"

namespace descent {
namespace {

// "set schedule.t_max=316": the setting's value that fits is the run's length less the rows
// before the setting counts.
std::string setting_that_fits(const ScheduleHorizon& h, int64_t run, const std::string& table) {
  const std::string value = std::to_string(run - h.offset);
  const std::string key = h.part.empty() ? table + "." + h.setting : h.setting;
  const std::string in_part =
      h.part.empty() ? "" : " in " + h.part + " of " + table + ".schedulers";
  if (h.ends_with_run) return "set " + key + "=" + value + in_part;
  return "set " + key + in_part + " to at most " + value + ", or train longer";
}

}  // namespace

std::string horizon_mismatch(const Scheduler& schedule, int64_t run, const std::string& unit,
                             const std::string& table) {
  const std::optional<ScheduleHorizon> h = schedule.horizon();
  if (!h) return "";
  const bool fits = h->ends_with_run ? h->length == run : h->length <= run;
  if (fits) return "";
  const std::string length = std::to_string(h->length);
  const std::string what = h->part.empty() ? h->setting : h->setting + " of " + h->part;
  std::string text = "schedule " + schedule.name() + ": " + what + " ends at " + unit + " " +
                     length + ", the run takes " + std::to_string(run) + " " + unit + "s: ";
  if (h->length < run)
    return text + "past " + unit + " " + length + " the " + schedule.key() + " " + h->past + "; " +
           setting_that_fits(*h, run, table);
  // Too long: the last part may not even start.
  if (run <= h->offset)
    return text + "the run stops before " + h->part + " starts at " + unit + " " +
           std::to_string(h->offset) + "; lower " + table + ".milestones, or train longer";
  return text + "the run stops before then; " + setting_that_fits(*h, run, table);
}

}  // namespace descent
