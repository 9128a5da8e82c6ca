#include "descent/sweep/sweep_report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "descent/app/report.h"
#include "descent/plot/palette.h"

namespace descent::sweep {
namespace {

// The keys that say which optimizer a configuration uses: a SPEC, or a name.
constexpr const char* kOptimizerKeys[] = {"optimizer", "optimizer.name"};

std::string value_of(const SweepPlan& plan, int64_t config, const std::string& key) {
  for (const auto& [k, v] : plan.configurations[static_cast<size_t>(config)])
    if (k == key) return v;
  return "";
}

// The swept key that names the optimizer, "" when every trial has the same one.
std::string optimizer_key(const SweepPlan& plan) {
  for (const char* key : kOptimizerKeys)
    for (const Axis& a : plan.space.axes)
      if (a.key == key) return key;
  return "";
}

bool sweeps_optimizer(const SweepPlan& plan) { return !optimizer_key(plan).empty(); }

// The optimizer a configuration uses: its swept value, or "" when every trial shares one.
std::string group_of(const SweepPlan& plan, int64_t config) {
  const std::string key = optimizer_key(plan);
  std::string group = key.empty() ? std::string() : value_of(plan, config, key);
  if (group.size() >= 2 && group.front() == '[' && group.back() == ']')
    group = group.substr(1, group.size() - 2);  // a SPEC's grid brackets
  return group;
}

// Each optimizer's colour, distinct within the sweep and the same in every figure of its page.
std::map<std::string, std::string> group_colors(const SweepPlan& plan) {
  std::vector<std::string> groups;
  for (size_t c = 0; c < plan.configurations.size(); ++c) {
    const std::string g = group_of(plan, static_cast<int64_t>(c));
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
  }
  const std::vector<std::string> keys = plot::distinct_color_keys(groups);
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < groups.size(); ++i) out[groups[i]] = keys[i];
  return out;
}

std::string direction(const Metric& m) { return m.higher_is_better() ? "higher" : "lower"; }

plot::Table ranking_table(const SweepPlan& plan, const SweepResults& results) {
  const std::string& m = plan.metric.name;
  plot::Table table;
  table.columns = {
      "rank",    "configuration", m + " (mean)", "min .. max over seeds", "best over epochs (mean)",
      "seconds", "steps",         "status"};
  const size_t shown = std::min<size_t>(results.ranking.size(), 50);
  for (size_t i = 0; i < shown; ++i) {
    const ConfigResult& c = results.configs[results.ranking[i]];
    std::map<std::string, int> statuses;
    for (size_t t : c.trials) ++statuses[results.trials[t].status];
    std::string status;
    for (const auto& [s, n] : statuses)
      status += (status.empty() ? "" : ", ") +
                (n == static_cast<int>(c.trials.size()) ? s : fmt::format("{} {}", n, s));
    if (c.halted_at > 0) status = fmt::format("halted at epoch {}", c.halted_at);
    table.rows.push_back({std::to_string(c.rank), plan.label(c.config), format_number(c.mean),
                          format_number(c.min) + " .. " + format_number(c.max),
                          format_number(c.best_mean), format_number(c.seconds_mean),
                          std::to_string(c.steps_mean), status});
  }
  return table;
}

}  // namespace

plot::Series epoch_series(const std::string& name, const std::string& color_key,
                          const std::vector<double>& mean, const std::vector<double>& lo,
                          const std::vector<double>& hi, bool band) {
  plot::Series s;
  s.name = name;
  s.color_key = color_key;
  for (size_t e = 0; e < mean.size(); ++e) s.x.push_back(static_cast<double>(e + 1));
  s.y = mean;
  if (band) {
    s.lo = lo;
    s.hi = hi;
  }
  return s;
}

// The metric against one numeric key: at each value, each optimizer's best configuration.
plot::LineChart sensitivity_chart(const SweepPlan& plan, const SweepResults& results,
                                  const Axis& axis, const std::string& id) {
  plot::LineChart chart;
  chart.id = id;
  chart.title = fmt::format("{} against {}", plan.metric.name, axis.key);
  chart.x_title = axis.key;
  chart.y_title = plan.metric.name + " (" + direction(plan.metric) + " is better)";
  chart.log_x = axis.logarithmic();
  // group -> x -> the best configuration there
  std::map<std::string, std::map<double, const ConfigResult*>> best;
  for (const ConfigResult& c : results.configs) {
    if (c.halted_at > 0 || !std::isfinite(c.mean)) continue;
    const double x = std::stod(value_of(plan, c.config, axis.key));
    const ConfigResult*& slot = best[group_of(plan, c.config)][x];
    if (!slot || plan.metric.better(c.mean, slot->mean)) slot = &c;
  }
  for (const auto& [group, points] : best) {
    plot::Series s;
    s.name = group.empty() ? plan.metric.name : group;
    s.color_key = group_colors(plan).at(group);
    for (const auto& [x, c] : points) {
      s.x.push_back(x);
      s.y.push_back(c->mean);
      s.lo.push_back(c->min);
      s.hi.push_back(c->max);
    }
    chart.series.push_back(std::move(s));
  }
  return chart;
}

namespace {

// The metric for each value of a key that is not a number (optimizer x value).
plot::Heatmap choice_heatmap(const SweepPlan& plan, const SweepResults& results, const Axis& axis,
                             const std::string& id) {
  std::vector<std::string> values, groups;
  for (size_t c = 0; c < plan.configurations.size(); ++c) {
    const std::string v = value_of(plan, static_cast<int64_t>(c), axis.key);
    const std::string g = group_of(plan, static_cast<int64_t>(c));
    if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
  }
  plot::Heatmap map;
  map.id = id;
  map.title = fmt::format("{} for each {}", plan.metric.name, axis.key);
  map.x.title = axis.key;
  map.x.categories = values;
  map.y.title = groups.size() > 1 ? "optimizer" : "";
  map.y.categories = groups.size() > 1 ? groups : std::vector<std::string>{plan.metric.name};
  map.values.assign(values.size() * map.y.categories.size(), NAN);
  map.value_title = plan.metric.name;
  map.cell_text = true;
  map.missing_label = "diverged or halted";
  for (const ConfigResult& c : results.configs) {
    if (c.halted_at > 0 || !std::isfinite(c.mean)) continue;
    const auto x = static_cast<size_t>(
        std::find(values.begin(), values.end(), value_of(plan, c.config, axis.key)) -
        values.begin());
    const auto y = groups.size() > 1 ? static_cast<size_t>(std::find(groups.begin(), groups.end(),
                                                                     group_of(plan, c.config)) -
                                                           groups.begin())
                                     : 0;
    double& cell = map.values[y * values.size() + x];
    if (std::isnan(cell) || plan.metric.better(c.mean, cell)) cell = c.mean;
  }
  return map;
}

}  // namespace

// The metric per epoch (train_loss for a test metric) of the chosen configurations.
plot::LineChart curves_chart(const SweepPlan& plan, const SweepResults& results,
                             const std::vector<size_t>& configs, bool by_optimizer,
                             const std::string& id) {
  plot::LineChart chart;
  chart.id = id;
  const std::string y = plan.metric.per_epoch() ? plan.metric.name : "train_loss";
  chart.title = by_optimizer ? y + " per epoch, each optimizer's best configuration"
                             : y + " per epoch, the best configurations";
  chart.x_title = "epoch";
  chart.y_title = y;
  for (size_t i : configs) {
    const ConfigResult& c = results.configs[i];
    std::vector<std::vector<double>> ys;
    for (size_t t : c.trials)
      ys.push_back(plan.metric.per_epoch() ? results.trials[t].curve
                                           : results.trials[t].train_loss);
    const Aggregate a = aggregate(ys);
    const std::string name =
        by_optimizer ? plan.label(c.config) : fmt::format("#{} {}", c.rank, plan.label(c.config));
    chart.series.push_back(
        epoch_series(name, by_optimizer ? group_colors(plan).at(group_of(plan, c.config)) : name,
                     a.mean, a.min, a.max, c.trials.size() > 1));
  }
  return chart;
}

plot::Page sweep_page(const SweepPlan& plan, const SweepResults& results,
                      const std::string& command) {
  plot::Page page;
  page.title = "descent sweep: " + plan.dir.filename().string();
  page.smoothing = 0;
  page.provenance["command"] = command;
  page.provenance["sweep"] = to_json(plan);

  std::string axes;
  for (const Axis& a : plan.space.axes) axes += (axes.empty() ? "" : "; ") + a.text;
  page.blocks.push_back(plot::Paragraph{fmt::format(
      "{} configurations x {} seed{} = {} trials, compared by {} at the end ({} is better; the "
      "mean over seeds, a diverged seed makes it missing). Swept: {}.{}",
      plan.configurations.size(), plan.seeds.size(), plan.seeds.size() == 1 ? "" : "s",
      plan.trials.size(), plan.metric.name, direction(plan.metric), axes.empty() ? "nothing" : axes,
      plan.halving.on()
          ? fmt::format(" Successive halving at epochs {}: the best {:g} of the configurations "
                        "go on each time.",
                        fmt::join(plan.halving.epochs, ", "), plan.halving.keep)
          : "")});

  page.blocks.push_back(plot::Heading{"Ranking"});
  if (results.ranking.size() > 50)
    page.blocks.push_back(plot::Paragraph{fmt::format(
        "The best 50 of {} configurations; results.csv has every trial.", results.ranking.size())});
  page.blocks.push_back(ranking_table(plan, results));

  bool heading = false;
  for (size_t i = 0; i < plan.space.axes.size(); ++i) {
    const Axis& axis = plan.space.axes[i];
    if (!axis.numeric()) {
      if (axis.key == optimizer_key(plan)) continue;  // the curves and the ranking show it
      if (!heading) page.blocks.push_back(plot::Heading{"Sensitivity"});
      heading = true;
      page.blocks.push_back(plot::Paragraph{fmt::format(
          "For each value of {}, the best configuration{} with it: its mean over seeds.", axis.key,
          sweeps_optimizer(plan) ? " of each optimizer" : "")});
      page.blocks.push_back(
          plot::Figure{choice_heatmap(plan, results, axis, fmt::format("sensitivity_{}", i))});
      continue;
    }
    plot::LineChart chart =
        sensitivity_chart(plan, results, axis, fmt::format("sensitivity_{}", i));
    size_t points = 0;
    for (const plot::Series& s : chart.series) points = std::max(points, s.x.size());
    if (points < 2) continue;
    if (!heading) page.blocks.push_back(plot::Heading{"Sensitivity"});
    heading = true;
    page.blocks.push_back(plot::Paragraph{fmt::format(
        "At each value of {}, the best configuration{} there: its mean over seeds, and a band "
        "from the lowest to the highest seed. Diverged and halted configurations are left out.",
        axis.key, sweeps_optimizer(plan) ? " of each optimizer" : "")});
    page.blocks.push_back(plot::Figure{std::move(chart)});
  }

  // Each optimizer's best configuration, or the five best.
  std::vector<size_t> chosen;
  std::vector<std::string> seen;
  const bool by_optimizer = sweeps_optimizer(plan);
  for (size_t i : results.ranking) {
    const ConfigResult& c = results.configs[i];
    if (c.halted_at > 0 || !std::isfinite(c.mean)) continue;
    const std::string group = group_of(plan, c.config);
    if (by_optimizer) {
      if (std::find(seen.begin(), seen.end(), group) != seen.end()) continue;
      seen.push_back(group);
    } else if (chosen.size() == 5) {
      break;
    }
    chosen.push_back(i);
  }
  if (!chosen.empty()) {
    page.blocks.push_back(plot::Heading{"Training curves"});
    page.blocks.push_back(plot::Figure{curves_chart(plan, results, chosen, by_optimizer)});
  }
  return page;
}

void write_sweep_report(const SweepPlan& plan, const SweepResults& results,
                        const std::string& command) {
  plot::write_html(sweep_page(plan, results, command), plan.dir / kSweepReportFile);
}

}  // namespace descent::sweep
