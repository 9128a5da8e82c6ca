#pragma once
// A sweep drawn (DIR/report.html): the ranking of its configurations, the metric against each
// numeric swept key (the best configuration at each value, one curve per optimizer when
// optimizer.name is swept, a band from min to max over seeds; log axes for keys that span orders
// of magnitude), and the metric per epoch of each optimizer's best configuration (or of the five
// best configurations) with its band over seeds.
#include <string>

#include "descent/plot/page.h"
#include "descent/sweep/results.h"

namespace descent::sweep {

inline constexpr const char* kSweepReportFile = "report.html";

// The metric against one numeric swept key (id `id`), and the metric per epoch of
// the given configurations with bands over seeds (id `id`); by_optimizer names each curve by its
// configuration and colours it by its optimizer.
// A curve with a band from lo to hi (over seeds) when there are several seeds, at x = 1, 2, ...
plot::Series epoch_series(const std::string& name, const std::string& color_key,
                          const std::vector<double>& mean, const std::vector<double>& lo,
                          const std::vector<double>& hi, bool band);

plot::LineChart sensitivity_chart(const SweepPlan& plan, const SweepResults& results,
                                  const Axis& axis, const std::string& id);
plot::LineChart curves_chart(const SweepPlan& plan, const SweepResults& results,
                             const std::vector<size_t>& configs, bool by_optimizer,
                             const std::string& id = "curves");

plot::Page sweep_page(const SweepPlan& plan, const SweepResults& results,
                      const std::string& command);

// Writes DIR/report.html atomically; throws (nothing written) when the figures' JavaScript is
// missing.
void write_sweep_report(const SweepPlan& plan, const SweepResults& results,
                        const std::string& command);

}  // namespace descent::sweep
