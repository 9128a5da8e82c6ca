#include "descent/sweep/results.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include <fmt/format.h>

#include "descent/app/run_dir.h"
#include "descent/app/run_record.h"
#include "descent/io/atomic_file.h"

namespace descent::sweep {
namespace {

double epoch_value(const EpochMetrics& m, const std::string& name) {
  if (name == "val_loss") return m.val_loss;
  if (name == "val_accuracy") return m.val_accuracy;
  if (name == "train_loss") return m.train_loss;
  if (name == "train_accuracy") return m.train_accuracy;
  return NAN;
}

bool diverged(const std::string& status) { return status == "diverged" || status == "non_finite"; }

// One trial as its directory has it; halting is applied afterwards.
TrialResult read_trial(const SweepPlan& plan, const Trial& trial) {
  TrialResult r;
  r.trial = trial;
  const auto failed = plan.dir / kLogDir / (trial.name + ".failed");
  if (std::filesystem::exists(failed)) {
    r.status = "failed";
    r.failure = read_file(failed);
    while (!r.failure.empty() && r.failure.back() == '\n') r.failure.pop_back();
    return r;
  }
  const auto dir = plan.trial_dir(trial);
  if (!std::filesystem::exists(dir / kConfigFile)) return r;
  const RunRecord run = read_run(dir);
  if (run.summary) r.status = run.summary->value("stop_reason", std::string("unfinished"));
  r.epochs = static_cast<int64_t>(run.epochs.size());
  for (const EpochMetrics& m : run.epochs) {
    r.steps += m.steps;
    r.seconds += m.seconds;
    r.train_loss.push_back(m.train_loss);
    r.epoch_seconds.push_back(m.seconds);
    if (plan.metric.per_epoch()) r.curve.push_back(epoch_value(m, plan.metric.name));
  }
  if (!run.epochs.empty())
    for (const char* name : {"train_loss", "train_accuracy", "val_loss", "val_accuracy"})
      r.finals[name] = epoch_value(run.epochs.back(), name);
  if (run.summary)
    for (const char* name : {"test_loss", "test_accuracy"}) {
      const auto it = run.summary->find(name);
      r.finals[name] = it != run.summary->end() && it->is_number() ? it->get<double>() : NAN;
    }
  if (!diverged(r.status)) {
    if (plan.metric.per_epoch()) {
      if (!r.curve.empty()) r.final_value = r.curve.back();
    } else if (r.finals.count(plan.metric.name)) {
      r.final_value = r.finals[plan.metric.name];
    }
  }
  for (size_t e = 0; e < r.curve.size(); ++e)
    if (std::isfinite(r.curve[e]) && plan.metric.better(r.curve[e], r.best_value)) {
      r.best_value = r.curve[e];
      r.best_epoch = static_cast<int64_t>(e) + 1;
    }
  if (!plan.metric.per_epoch()) r.best_value = r.final_value;
  return r;
}

// The metric of a trial at `epoch`: its value there, or at its last epoch when it stopped
// before; NaN when it diverged or has not got there and is still going.
double value_at(const TrialResult& r, int64_t epoch) {
  if (diverged(r.status) || r.curve.empty()) return NAN;
  const int64_t e = std::min<int64_t>(epoch, static_cast<int64_t>(r.curve.size()));
  if (e < epoch && (r.status == "unfinished" || r.status == "completed")) return NAN;
  return r.curve[static_cast<size_t>(e - 1)];
}

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) {
    if (!std::isfinite(v)) return NAN;
    sum += v;
  }
  return values.empty() ? NAN : sum / static_cast<double>(values.size());
}

std::vector<int64_t> survivors_of(const SweepPlan& plan, const std::vector<TrialResult>& trials,
                                  const std::vector<int64_t>& alive, int64_t epoch) {
  std::vector<std::pair<double, int64_t>> scored;
  for (int64_t c : alive) {
    std::vector<double> values;
    for (const TrialResult& r : trials)
      if (r.trial.config == c) values.push_back(value_at(r, epoch));
    scored.emplace_back(mean_of(values), c);
  }
  std::stable_sort(scored.begin(), scored.end(), [&](const auto& a, const auto& b) {
    return plan.metric.better(a.first, b.first);
  });
  const auto keep = std::max<size_t>(
      1, static_cast<size_t>(std::ceil(plan.halving.keep * static_cast<double>(alive.size()))));
  std::vector<int64_t> out;
  for (size_t i = 0; i < std::min(keep, scored.size()); ++i) out.push_back(scored[i].second);
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

constexpr const char* kFinals[] = {"train_loss",   "train_accuracy", "val_loss",
                                   "val_accuracy", "test_loss",      "test_accuracy"};

}  // namespace

std::string csv_number(double v) { return std::isfinite(v) ? fmt::format("{:.9g}", v) : ""; }

nlohmann::json json_number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

std::vector<int64_t> halving_survivors(const SweepPlan& plan, const std::vector<int64_t>& alive,
                                       int64_t epoch) {
  std::vector<TrialResult> trials;
  for (const Trial& t : plan.trials)
    if (std::find(alive.begin(), alive.end(), t.config) != alive.end())
      trials.push_back(read_trial(plan, t));
  return survivors_of(plan, trials, alive, epoch);
}

SweepResults read_results(const SweepPlan& plan) {
  SweepResults out;
  for (const Trial& t : plan.trials) out.trials.push_back(read_trial(plan, t));

  // Halving replayed: a rung counts once every trial still in the race has got there.
  std::vector<int64_t> alive(plan.configurations.size());
  std::iota(alive.begin(), alive.end(), 0);
  std::vector<int64_t> halted(plan.configurations.size(), 0);
  for (int64_t epoch : plan.halving.epochs) {
    bool complete = true;
    for (const TrialResult& r : out.trials)
      if (std::find(alive.begin(), alive.end(), r.trial.config) != alive.end() &&
          r.status != "failed" && r.epochs < epoch &&
          (r.status == "unfinished" || r.status == "completed"))
        complete = false;
    if (!complete) break;
    const std::vector<int64_t> kept = survivors_of(plan, out.trials, alive, epoch);
    for (int64_t c : alive)
      if (std::find(kept.begin(), kept.end(), c) == kept.end())
        halted[static_cast<size_t>(c)] = epoch;
    alive = kept;
  }
  for (TrialResult& r : out.trials) {
    r.halted_at = halted[static_cast<size_t>(r.trial.config)];
    if (r.halted_at > 0 && r.status == "completed") r.status = "halted";
  }

  for (size_t c = 0; c < plan.configurations.size(); ++c) {
    ConfigResult cr;
    cr.config = static_cast<int64_t>(c);
    cr.halted_at = halted[c];
    std::vector<double> finals, bests, seconds;
    double steps = 0;
    for (size_t i = 0; i < out.trials.size(); ++i) {
      const TrialResult& r = out.trials[i];
      if (r.trial.config != cr.config) continue;
      cr.trials.push_back(i);
      finals.push_back(r.final_value);
      bests.push_back(r.best_value);
      seconds.push_back(r.seconds);
      steps += static_cast<double>(r.steps);
      if (std::isfinite(r.final_value)) {
        cr.min = std::isnan(cr.min) ? r.final_value : std::min(cr.min, r.final_value);
        cr.max = std::isnan(cr.max) ? r.final_value : std::max(cr.max, r.final_value);
      }
    }
    // One diverged seed makes the configuration's mean NaN: it ranks after every finite one.
    cr.mean = mean_of(finals);
    cr.best_mean = mean_of(bests);
    cr.seconds_mean = mean_of(seconds);
    cr.steps_mean =
        cr.trials.empty() ? 0 : static_cast<int64_t>(steps / static_cast<double>(cr.trials.size()));
    out.configs.push_back(cr);
  }
  out.ranking.resize(out.configs.size());
  std::iota(out.ranking.begin(), out.ranking.end(), size_t{0});
  std::stable_sort(out.ranking.begin(), out.ranking.end(), [&](size_t a, size_t b) {
    const ConfigResult &x = out.configs[a], &y = out.configs[b];
    // Finished configurations first; then those halted later; then by the metric.
    const int64_t hx = x.halted_at == 0 ? INT64_MAX : x.halted_at;
    const int64_t hy = y.halted_at == 0 ? INT64_MAX : y.halted_at;
    if (hx != hy) return hx > hy;
    return plan.metric.better(x.mean, y.mean);
  });
  for (size_t i = 0; i < out.ranking.size(); ++i)
    out.configs[out.ranking[i]].rank = static_cast<int64_t>(i) + 1;
  return out;
}

void write_results(const SweepPlan& plan, const SweepResults& results) {
  std::vector<std::string> keys;
  for (const Axis& a : plan.space.axes) keys.push_back(a.key);
  const std::string& m = plan.metric.name;

  std::ostringstream trials;
  trials << "trial,configuration,seed";
  for (const std::string& k : keys) trials << "," << csv_field(k);
  trials << ",status,epochs,steps,seconds," << m << "_final," << m << "_best,best_epoch,halted_at";
  for (const char* f : kFinals) trials << "," << f;
  trials << "\n";
  nlohmann::json trial_rows = nlohmann::json::array();
  for (const TrialResult& r : results.trials) {
    const Assignment& a = plan.configurations[static_cast<size_t>(r.trial.config)];
    trials << r.trial.name << "," << r.trial.config << "," << r.trial.seed;
    nlohmann::json row = {
        {"trial", r.trial.name}, {"configuration", r.trial.config}, {"seed", r.trial.seed}};
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [key, value] : a) {
      trials << "," << csv_field(value);
      values[key] = value;
    }
    trials << "," << r.status << "," << r.epochs << "," << r.steps << "," << csv_number(r.seconds)
           << "," << csv_number(r.final_value) << "," << csv_number(r.best_value) << ","
           << r.best_epoch << "," << r.halted_at;
    nlohmann::json finals = nlohmann::json::object();
    for (const char* f : kFinals) {
      const auto it = r.finals.find(f);
      const double v = it == r.finals.end() ? NAN : it->second;
      trials << "," << csv_number(v);
      finals[f] = json_number(v);
    }
    trials << "\n";
    row.update({{"values", values},
                {"status", r.status},
                {"epochs", r.epochs},
                {"steps", r.steps},
                {"seconds", r.seconds},
                {m + "_final", json_number(r.final_value)},
                {m + "_best", json_number(r.best_value)},
                {"best_epoch", r.best_epoch},
                {"halted_at", r.halted_at},
                {"finals", finals}});
    if (!r.failure.empty()) row["failure"] = r.failure;
    trial_rows.push_back(row);
  }

  std::ostringstream configs;
  configs << "rank,configuration";
  for (const std::string& k : keys) configs << "," << csv_field(k);
  configs << ",seeds," << m << "_mean," << m << "_min," << m << "_max," << m
          << "_best_mean,seconds_mean,steps_mean,halted_at\n";
  nlohmann::json config_rows = nlohmann::json::array();
  for (size_t i : results.ranking) {
    const ConfigResult& c = results.configs[i];
    configs << c.rank << "," << c.config;
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [key, value] : plan.configurations[static_cast<size_t>(c.config)]) {
      configs << "," << csv_field(value);
      values[key] = value;
    }
    configs << "," << c.trials.size() << "," << csv_number(c.mean) << "," << csv_number(c.min)
            << "," << csv_number(c.max) << "," << csv_number(c.best_mean) << ","
            << csv_number(c.seconds_mean) << "," << c.steps_mean << "," << c.halted_at << "\n";
    config_rows.push_back({{"rank", c.rank},
                           {"configuration", c.config},
                           {"values", values},
                           {"seeds", c.trials.size()},
                           {m + "_mean", json_number(c.mean)},
                           {m + "_min", json_number(c.min)},
                           {m + "_max", json_number(c.max)},
                           {m + "_best_mean", json_number(c.best_mean)},
                           {"seconds_mean", json_number(c.seconds_mean)},
                           {"steps_mean", c.steps_mean},
                           {"halted_at", c.halted_at}});
  }
  const nlohmann::json all = {{"metric", m},
                              {"higher_is_better", plan.metric.higher_is_better()},
                              {"configurations", config_rows},
                              {"trials", trial_rows}};
  write_file_atomically(plan.dir / kResultsCsv, trials.str());
  write_file_atomically(plan.dir / kConfigResultsCsv, configs.str());
  write_file_atomically(plan.dir / kResultsJson, all.dump(2) + "\n");
}

}  // namespace descent::sweep
