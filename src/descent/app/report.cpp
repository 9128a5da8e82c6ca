#include "descent/app/report.h"

#include "descent/app/autoencoder_figures.h"
#include "descent/app/run_dir.h"
#include "descent/util/number_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace descent {
namespace {

using plot::LineChart;
using plot::Series;

// The configuration with what does not change results set aside: two runs of one group differ
// at most in these.
std::string comparable_toml(const Config& config) {
  Config c = config;
  c.seed = 0;
  c.threads = 0;
  c.checkpoint.every = 1;
  c.report.write = true;
  return to_toml(c);
}

// "table.key" -> "value as written" for every line of a TOML text.
std::map<std::string, std::string> flatten_toml(const std::string& toml) {
  std::map<std::string, std::string> out;
  std::istringstream lines(toml);
  std::string table;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    if (line.front() == '[') {
      table = line.substr(1, line.find(']') - 1);
      continue;
    }
    const size_t eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    out[(table.empty() ? "" : table + ".") + line.substr(0, eq)] = line.substr(eq + 3);
  }
  return out;
}

// A TOML value as a label shows it: strings without quotes, numbers in their shortest form
// ("0.9", not TOML's "0.90000000000000002").
std::string label_text(const std::string& value) {
  if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"'))
    return value.substr(1, value.size() - 2);
  double number;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size()) return value;
  return shortest_text(number);
}

std::vector<double> cumulative(const std::vector<double>& seconds) {
  std::vector<double> out(seconds.size());
  double total = 0;
  for (size_t i = 0; i < seconds.size(); ++i) out[i] = total += seconds[i];
  return out;
}

// A run's name in a legend: its group's label, with the seed when the group has several runs.
std::string run_label(const RunGroup& group, const RunRecord& run) {
  return group.runs.size() > 1 ? group.label + " (seed " + std::to_string(run.config.seed) + ")"
                               : group.label;
}

using EpochValue = std::function<double(const EpochMetrics&)>;

std::vector<double> epoch_series(const RunRecord& run, const EpochValue& value) {
  std::vector<double> out;
  for (const auto& m : run.epochs) out.push_back(value(m));
  return out;
}

bool any_finite(const std::vector<RunRecord>& runs, const EpochValue& value) {
  for (const auto& run : runs)
    for (const auto& m : run.epochs)
      if (std::isfinite(value(m))) return true;
  return false;
}

std::vector<double> indices_from_one(size_t n) {
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<double>(i + 1);
  return x;
}

// One chart of a per-epoch value: per group, the mean with a min/max band over faint per-seed
// lines, or the single run's line.
constexpr size_t kSmoothFromEpochs = 50;

LineChart epoch_chart(const std::string& id, const std::string& title, const std::string& y_title,
                      const std::vector<RunGroup>& groups, const EpochValue& value, bool smooth,
                      bool log_y = false) {
  LineChart chart;
  chart.id = id;
  chart.title = title;
  chart.x_title = "epoch";
  chart.x_alt_title = "wall time (s)";
  chart.y_title = y_title;
  chart.log_y = log_y;
  for (const RunGroup& group : groups) {
    std::vector<std::vector<double>> ys, times;
    for (const RunRecord* run : group.runs) {
      ys.push_back(epoch_series(*run, value));
      times.push_back(
          cumulative(epoch_series(*run, [](const EpochMetrics& m) { return m.seconds; })));
    }
    if (group.runs.size() > 1) {
      for (size_t r = 0; r < group.runs.size(); ++r) {
        Series s;
        s.name = run_label(group, *group.runs[r]);
        s.color_key = group.color_key;
        s.x = indices_from_one(ys[r].size());
        s.x_alt = times[r];
        s.y = ys[r];
        s.faint = true;
        chart.series.push_back(std::move(s));
      }
    }
    const Aggregate a = aggregate(ys);
    Series s;
    s.name = group.label;
    s.color_key = group.color_key;
    s.x = indices_from_one(a.mean.size());
    s.x_alt = aggregate(times).mean;
    s.y = a.mean;
    if (group.runs.size() > 1) {
      s.lo = a.min;
      s.hi = a.max;
    }
    // Epoch values are already means over many steps: a short run's curve is drawn as it is,
    // and the smoothing control reaches only long ones.
    s.smooth = smooth && s.y.size() >= kSmoothFromEpochs;
    chart.series.push_back(std::move(s));
  }
  return chart;
}

// Early stopping's best epoch and the patience that followed it, for each run that stopped early.
void mark_early_stopping(LineChart& chart, const std::vector<RunGroup>& groups) {
  for (const RunGroup& group : groups)
    for (const RunRecord* run : group.runs) {
      if (!run->summary || run->summary->value("stop_reason", std::string()) != "early_stopping")
        continue;
      const int64_t best = run->summary->value("best_epoch", int64_t{0});
      const int64_t last = run->summary->value("epochs", int64_t{0});
      const std::string who = run_label(group, *run);
      if (best > 0) chart.rules.push_back({static_cast<double>(best), "best epoch: " + who});
      if (best > 0 && last > best)
        chart.spans.push_back(
            {static_cast<double>(best), static_cast<double>(last), "patience: " + who});
    }
}

// A stacked autoencoder's run trains in phases (layer-1, layer-2, ..., fine-tune), each line of
// metrics.jsonl naming its phase: a dashed rule where each phase begins, on every epoch chart.
void mark_phases(plot::Page& page, const std::vector<RunRecord>& runs) {
  std::vector<plot::Rule> rules;
  for (const RunRecord& run : runs) {
    std::string previous;
    for (size_t i = 0; i < run.epochs.size(); ++i) {
      const auto it = run.epochs[i].extra.find("phase");
      if (it == run.epochs[i].extra.end() || !it->is_string()) continue;
      const std::string phase = it->get<std::string>();
      if (phase != previous)
        rules.push_back(
            {static_cast<double>(i + 1), runs.size() > 1 ? run.name + ": " + phase : phase});
      previous = phase;
    }
  }
  if (rules.empty()) return;
  for (auto& block : page.blocks)
    if (auto* figure = std::get_if<plot::Figure>(&block))
      if (auto* chart = std::get_if<LineChart>(figure); chart && chart->x_title == "epoch")
        chart->rules.insert(chart->rules.end(), rules.begin(), rules.end());
}

LineChart step_loss_chart(const std::vector<RunGroup>& groups) {
  LineChart chart;
  chart.id = "step_loss";
  chart.title = "Minibatch loss per optimizer step";
  chart.x_title = "step";
  chart.x_alt_title = "wall time (s)";
  chart.y_title = "loss";
  for (const RunGroup& group : groups)
    for (const RunRecord* run : group.runs) {
      if (run->steps.empty()) continue;
      Series s;
      s.name = run_label(group, *run);
      s.color_key = group.color_key;
      for (const StepRecord& step : run->steps) {
        s.x.push_back(static_cast<double>(step.step));
        s.x_alt.push_back(step.seconds);
        s.y.push_back(step.loss);
      }
      s.smooth = true;
      chart.series.push_back(std::move(s));
    }
  return chart;
}

LineChart update_ratio_chart(const std::vector<RunGroup>& groups) {
  LineChart chart;
  chart.id = "update_ratio";
  chart.title = "Update-to-weight ratio ||dw|| / ||w|| per parameter (epoch mean)";
  chart.x_title = "epoch";
  chart.y_title = "ratio";
  chart.log_y = true;
  for (const RunGroup& group : groups) {
    std::set<std::string> names;
    for (const RunRecord* run : group.runs)
      for (const auto& m : run->epochs)
        for (const auto& [name, ratio] : m.update_ratio) names.insert(name);
    for (const std::string& name : names) {
      std::vector<std::vector<double>> ys;
      for (const RunRecord* run : group.runs)
        ys.push_back(epoch_series(*run, [&](const EpochMetrics& m) {
          const auto it = m.update_ratio.find(name);
          return it == m.update_ratio.end() ? NAN : it->second;
        }));
      Series s;
      s.name = groups.size() > 1 ? group.label + " " + name : name;
      s.color_key = groups.size() > 1 ? group.color_key : name;
      s.y = aggregate(ys).mean;
      s.x = indices_from_one(s.y.size());
      chart.series.push_back(std::move(s));
    }
  }
  return chart;
}

// first-order vs second-order Taylor term of each probe, as their ratio (> 1: ill-conditioned).
LineChart curvature_chart(const std::vector<RunGroup>& groups) {
  LineChart chart;
  chart.id = "curvature";
  chart.title = "Curvature probes: 0.5 eps^2 g'Hg / (eps g'g) (above 1: ill-conditioned)";
  chart.x_title = "step";
  chart.y_title = "ratio";
  chart.log_y = true;
  for (const RunGroup& group : groups)
    for (const RunRecord* run : group.runs) {
      if (run->curvature.empty()) continue;
      Series s;
      s.name = run_label(group, *run);
      s.color_key = group.color_key;
      for (const auto& probe : run->curvature) {
        s.x.push_back(probe.value("step", 0.0));
        const double first = probe.value("first_order", NAN);
        s.y.push_back(std::fabs(probe.value("second_order", NAN) / first));
      }
      chart.series.push_back(std::move(s));
    }
  return chart;
}

// The objective's named terms (train/objective.h) that metrics.jsonl holds as train_NAME and
// val_NAME: reconstruction, kl, elbo, ... The most telling first, then by name.
std::vector<std::string> term_names(const std::vector<RunRecord>& runs) {
  std::set<std::string> found;
  for (const RunRecord& run : runs)
    for (const auto& m : run.epochs)
      for (const auto& [key, value] : m.extra.items()) {
        if (!value.is_number()) continue;
        for (const std::string prefix : {"train_", "val_"})
          if (key.rfind(prefix, 0) == 0) found.insert(key.substr(prefix.size()));
      }
  std::vector<std::string> names;
  for (const char* first : {"reconstruction", "kl", "elbo"})
    if (found.erase(first)) names.push_back(first);
  names.insert(names.end(), found.begin(), found.end());
  return names;
}

double extra_number(const EpochMetrics& m, const std::string& key) {
  const auto it = m.extra.find(key);
  return it != m.extra.end() && it->is_number() ? it->get<double>() : NAN;
}

// One term per epoch, training and validation in one chart.
LineChart term_chart(const std::string& term, const std::vector<RunGroup>& groups) {
  LineChart chart;
  for (const auto& [prefix, split] : {std::pair{"train_", "train"}, {"val_", "validation"}}) {
    const std::string key = std::string(prefix) + term;
    LineChart part = epoch_chart(
        "term_" + term, term + " per epoch", term, groups,
        [&](const EpochMetrics& m) { return extra_number(m, key); }, true);
    std::vector<Series> series = std::move(part.series);
    if (chart.id.empty()) {
      chart = std::move(part);
      chart.series.clear();
    }
    for (Series& s : series) {
      if (std::none_of(s.y.begin(), s.y.end(), [](double y) { return std::isfinite(y); })) continue;
      s.color_key = groups.size() > 1 ? s.color_key + " " + split : split;
      s.name = groups.size() > 1 ? s.name + " (" + split + ")" : split;
      chart.series.push_back(std::move(s));
    }
  }
  return chart;
}

double summary_number(const RunRecord& run, const char* key) {
  if (!run.summary) return NAN;
  const auto it = run.summary->find(key);
  return it != run.summary->end() && it->is_number() ? it->get<double>() : NAN;
}

// Why a run ended, and that it diverged when it trained on regardless (train.divergence "warn").
std::string stopped_by(const std::optional<nlohmann::json>& summary) {
  if (!summary) return "not finished";
  const std::string reason = summary->value("stop_reason", std::string("-"));
  return summary->value("diverged", false) && reason != "diverged" ? reason + ", diverged" : reason;
}

plot::Table results_table(const std::vector<RunGroup>& groups) {
  plot::Table t;
  t.columns = {"run",        "group",     "seed",          "epochs", "best epoch",
               "stopped by", "test loss", "test accuracy", "seconds"};
  for (const RunGroup& group : groups)
    for (const RunRecord* run : group.runs) {
      const auto& s = run->summary;
      t.rows.push_back({run->name, group.label, std::to_string(run->config.seed),
                        std::to_string(run->epochs.size()),
                        s ? std::to_string(s->value("best_epoch", int64_t{0})) : "-",
                        stopped_by(run->summary), format_number(summary_number(*run, "test_loss")),
                        format_number(summary_number(*run, "test_accuracy")),
                        format_number(summary_number(*run, "seconds"))});
    }
  return t;
}

// Per group over its seeds: mean (min..max) of the test numbers.
plot::Table group_table(const std::vector<RunGroup>& groups) {
  plot::Table t;
  t.columns = {"group", "runs", "test loss mean (min..max)", "test accuracy mean (min..max)"};
  for (const RunGroup& group : groups) {
    // One series per run, each one value long: aggregate() then gives the mean over runs.
    std::vector<std::vector<double>> loss, acc;
    for (const RunRecord* run : group.runs) {
      loss.push_back({summary_number(*run, "test_loss")});
      acc.push_back({summary_number(*run, "test_accuracy")});
    }
    auto cell = [](const std::vector<std::vector<double>>& values) {
      const Aggregate a = aggregate(values);
      if (a.mean.empty() || !std::isfinite(a.mean[0])) return std::string("-");
      return format_number(a.mean[0]) + " (" + format_number(a.min[0]) + ".." +
             format_number(a.max[0]) + ")";
    };
    t.rows.push_back({group.label, std::to_string(group.runs.size()), cell(loss), cell(acc)});
  }
  return t;
}

// Every configuration key, a column per group (seeds listed in their own row).
plot::Table config_table(const std::vector<RunGroup>& groups) {
  plot::Table t;
  t.columns = {"key"};
  std::vector<std::map<std::string, std::string>> flat;
  std::set<std::string> keys;
  for (const RunGroup& group : groups) {
    t.columns.push_back(group.label);
    flat.push_back(flatten_toml(comparable_toml(group.runs.front()->config)));
    for (const auto& [k, v] : flat.back()) keys.insert(k);
  }
  std::vector<std::string> seeds{"seed"};
  for (const RunGroup& group : groups) {
    std::string list;
    for (const RunRecord* run : group.runs)
      list += (list.empty() ? "" : ", ") + std::to_string(run->config.seed);
    seeds.push_back(list);
  }
  t.rows.push_back(seeds);
  for (const std::string& key : keys) {
    if (key == "seed") continue;
    std::vector<std::string> row{key};
    for (const auto& f : flat) {
      const auto it = f.find(key);
      row.push_back(it == f.end() ? "" : label_text(it->second));
    }
    t.rows.push_back(row);
  }
  return t;
}

}  // namespace

std::string format_number(double value) {
  if (!std::isfinite(value)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", value);
  return buf;
}

Aggregate aggregate(const std::vector<std::vector<double>>& series) {
  size_t n = 0;
  for (const auto& s : series) n = std::max(n, s.size());
  Aggregate a{std::vector<double>(n, NAN), std::vector<double>(n, NAN),
              std::vector<double>(n, NAN)};
  for (size_t i = 0; i < n; ++i) {
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    int count = 0;
    for (const auto& s : series) {
      if (i >= s.size() || !std::isfinite(s[i])) continue;
      sum += s[i];
      lo = std::min(lo, s[i]);
      hi = std::max(hi, s[i]);
      ++count;
    }
    if (count == 0) continue;
    a.mean[i] = sum / count;
    a.min[i] = lo;
    a.max[i] = hi;
  }
  return a;
}

std::vector<RunGroup> group_runs(const std::vector<RunRecord>& runs) {
  std::vector<RunGroup> groups;
  std::vector<std::string> keys;
  for (const RunRecord& run : runs) {
    const std::string key = comparable_toml(run.config);
    auto it = std::find(keys.begin(), keys.end(), key);
    if (it == keys.end()) {
      keys.push_back(key);
      groups.push_back({});
      it = keys.end() - 1;
    }
    groups[static_cast<size_t>(it - keys.begin())].runs.push_back(&run);
  }
  // A group's label: its optimizer, the optimizer's keys that differ from another group with the
  // same optimizer, and any other key that differs between groups ("sgd, momentum=0.9").
  std::vector<std::map<std::string, std::string>> flat;
  for (const std::string& key : keys) flat.push_back(flatten_toml(key));
  auto optimizer_of = [&](size_t i) { return groups[i].runs.front()->config.optimizer.name; };
  auto value_of = [&](size_t i, const std::string& k) {
    const auto it = flat[i].find(k);
    return it == flat[i].end() ? std::string("(none)") : label_text(it->second);
  };
  std::map<std::string, int> optimizer_uses;
  for (size_t i = 0; i < groups.size(); ++i) ++optimizer_uses[optimizer_of(i)];
  for (size_t i = 0; i < groups.size(); ++i) {
    std::string label = optimizer_of(i);
    std::set<std::string> all_keys;
    for (const auto& f : flat)
      for (const auto& [k, v] : f) all_keys.insert(k);
    for (const std::string& k : all_keys) {
      if (k == "optimizer.name") continue;
      const bool optimizer_key = k.rfind("optimizer.", 0) == 0;
      bool differs = false;
      for (size_t j = 0; j < groups.size(); ++j)
        if ((!optimizer_key || optimizer_of(j) == optimizer_of(i)) &&
            value_of(j, k) != value_of(i, k))
          differs = true;
      if (differs)
        label += ", " + (optimizer_key ? k.substr(k.find('.') + 1) : k) + "=" + value_of(i, k);
    }
    groups[i].label = label;
    groups[i].color_key = optimizer_uses[optimizer_of(i)] == 1 ? optimizer_of(i) : label;
  }
  return groups;
}

plot::Page report_page(const std::vector<RunRecord>& runs, const std::string& command) {
  plot::Page page;
  page.title = runs.size() == 1 ? "descent report: " + runs[0].name
                                : "descent report: " + std::to_string(runs.size()) + " runs";
  page.provenance["command"] = command;
  for (const RunRecord& run : runs)
    page.provenance["runs"][run.name] = {{"dir", run.dir.string()}, {"config", run.config_toml}};
  const std::vector<RunGroup> groups = group_runs(runs);

  for (const RunRecord& run : runs)
    for (const std::string& note : run.notes)
      page.blocks.push_back(plot::Paragraph{run.name + ": " + note});

  page.blocks.push_back(plot::Heading{"Final numbers"});
  page.blocks.push_back(results_table(groups));
  if (std::any_of(groups.begin(), groups.end(),
                  [](const RunGroup& g) { return g.runs.size() > 1; }))
    page.blocks.push_back(group_table(groups));

  page.blocks.push_back(plot::Heading{"Loss and accuracy per epoch"});
  LineChart train_loss = epoch_chart(
      "train_loss", "Training loss", "loss", groups,
      [](const EpochMetrics& m) { return m.train_loss; }, true);
  mark_early_stopping(train_loss, groups);
  page.blocks.push_back(std::move(train_loss));
  if (any_finite(runs, [](const EpochMetrics& m) { return m.val_loss; })) {
    LineChart val_loss = epoch_chart(
        "val_loss", "Validation loss", "loss", groups,
        [](const EpochMetrics& m) { return m.val_loss; }, true);
    mark_early_stopping(val_loss, groups);
    page.blocks.push_back(std::move(val_loss));
  }
  if (any_finite(runs, [](const EpochMetrics& m) { return m.train_accuracy; }))
    page.blocks.push_back(epoch_chart(
        "train_accuracy", "Training accuracy", "accuracy", groups,
        [](const EpochMetrics& m) { return m.train_accuracy; }, true));
  if (any_finite(runs, [](const EpochMetrics& m) { return m.val_accuracy; }))
    page.blocks.push_back(epoch_chart(
        "val_accuracy", "Validation accuracy", "accuracy", groups,
        [](const EpochMetrics& m) { return m.val_accuracy; }, true));

  const std::vector<std::string> terms = term_names(runs);
  if (!terms.empty()) {
    page.blocks.push_back(plot::Heading{"The objective's terms per epoch"});
    for (const std::string& term : terms) page.blocks.push_back(term_chart(term, groups));
  }

  if (std::any_of(runs.begin(), runs.end(), [](const RunRecord& r) { return !r.steps.empty(); })) {
    page.blocks.push_back(plot::Heading{"Per optimizer step"});
    page.blocks.push_back(step_loss_chart(groups));
  }

  page.blocks.push_back(plot::Heading{"Learning rate and gradients"});
  page.blocks.push_back(epoch_chart(
      "lr", "Learning rate (epoch's last value)", "lr", groups,
      [](const EpochMetrics& m) { return m.lr; }, false));
  page.blocks.push_back(epoch_chart(
      "grad_norm_mean", "Gradient norm before clipping (epoch mean)", "||g||", groups,
      [](const EpochMetrics& m) { return m.grad_norm_mean; }, true));
  page.blocks.push_back(epoch_chart(
      "grad_norm_max", "Gradient norm before clipping (epoch max)", "||g||", groups,
      [](const EpochMetrics& m) { return m.grad_norm_max; }, false));
  page.blocks.push_back(update_ratio_chart(groups));
  if (std::any_of(runs.begin(), runs.end(),
                  [](const RunRecord& r) { return !r.curvature.empty(); }))
    page.blocks.push_back(curvature_chart(groups));

  // What autoencoders learned: figures that need each run's model (a forward pass over a few
  // thousand test examples per run).
  for (size_t i = 0; i < runs.size(); ++i)
    if (is_autoencoder_kind(runs[i].config.model.kind))
      for (plot::Block& block : autoencoder_blocks(runs[i], i))
        page.blocks.push_back(std::move(block));

  page.blocks.push_back(plot::Heading{"Configuration"});
  page.blocks.push_back(config_table(groups));
  mark_phases(page, runs);
  return page;
}

void write_run_report(const std::filesystem::path& dir) {
  const std::vector<RunRecord> runs = {read_run(dir)};
  plot::write_html(report_page(runs, "descent report " + dir.string() + " --out " +
                                         (dir / kReportFile).string()),
                   dir / kReportFile);
}

}  // namespace descent
