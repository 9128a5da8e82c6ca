#include "descent/sweep/compare_optimizers.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "descent/app/config.h"
#include "descent/app/report.h"
#include "descent/io/atomic_file.h"
#include "descent/plot/page.h"
#include "descent/plot/palette.h"
#include "descent/sweep/benchmark_problems.h"
#include "descent/sweep/results.h"
#include "descent/sweep/sweep.h"
#include "descent/sweep/sweep_report.h"
#include "descent/util/spec.h"

namespace descent::sweep {
namespace {

constexpr double kTargetSlack = 0.10;  // the target: the best final mean plus 10%

// A SPEC as one --grid value: brackets keep its commas together.
std::string grid_value(const std::string& spec) {
  return spec.find(',') == std::string::npos ? spec : "[" + spec + "]";
}

std::string with_lr(const std::string& spec, const std::string& lr) {
  return spec + (spec.find(':') == std::string::npos ? ":" : ",") + "lr=" + lr;
}

// One optimizer on one problem: its trials at the best learning rate, from both sweeps.
struct Entry {
  std::string optimizer;
  std::string lr;  // "" when every learning rate diverged
  bool lr_at_edge = false;
  std::string color_key;  // the optimizer's colour, the same in every figure  // the best rate is
                          // the grid's smallest or largest: widen the grid
  std::vector<TrialResult> trials;
  double mean = NAN, min = NAN, max = NAN;
  std::vector<double> curve, lo, hi, seconds, steps;  // per epoch: means and bands, cumulative
  int64_t epochs_to_target = 0;                       // 0: never reached
  double steps_to_target = NAN, seconds_to_target = NAN;
  int64_t rank = 0;
};

struct ProblemResult {
  const BenchmarkProblem* problem = nullptr;
  SweepPlan tuning;
  SweepResults tuning_results;
  std::vector<Entry> entries;  // in the optimizers' order
  double target = NAN;
};

void summarize(Entry& e) {
  std::vector<std::vector<double>> curves, seconds, steps;
  std::vector<double> finals;
  for (const TrialResult& t : e.trials) {
    curves.push_back(t.curve);
    finals.push_back(t.final_value);
    std::vector<double> s, n;
    double total = 0;
    for (double v : t.epoch_seconds) s.push_back(total += v);
    const double per_epoch =
        t.epochs > 0 ? static_cast<double>(t.steps) / static_cast<double>(t.epochs) : NAN;
    for (size_t i = 0; i < t.curve.size(); ++i) n.push_back(per_epoch * static_cast<double>(i + 1));
    seconds.push_back(s);
    steps.push_back(n);
  }
  const Aggregate a = aggregate(curves);
  e.curve = a.mean;
  e.lo = a.min;
  e.hi = a.max;
  e.seconds = aggregate(seconds).mean;
  e.steps = aggregate(steps).mean;
  double sum = 0;
  bool all = !finals.empty();
  for (double f : finals) {
    if (!std::isfinite(f)) {
      all = false;
      continue;
    }
    sum += f;
    e.min = std::isnan(e.min) ? f : std::min(e.min, f);
    e.max = std::isnan(e.max) ? f : std::max(e.max, f);
  }
  e.mean = all ? sum / static_cast<double>(finals.size()) : NAN;
}

void set_targets(ProblemResult& p) {
  double best = NAN;
  for (const Entry& e : p.entries)
    if (std::isfinite(e.mean) && (std::isnan(best) || e.mean < best)) best = e.mean;
  p.target = best * (1 + kTargetSlack);
  for (Entry& e : p.entries)
    for (size_t i = 0; i < e.curve.size(); ++i)
      if (std::isfinite(e.curve[i]) && e.curve[i] <= p.target) {
        e.epochs_to_target = static_cast<int64_t>(i) + 1;
        e.steps_to_target = i < e.steps.size() ? e.steps[i] : NAN;
        e.seconds_to_target = i < e.seconds.size() ? e.seconds[i] : NAN;
        break;
      }
  std::vector<size_t> order(p.entries.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const double x = p.entries[a].mean, y = p.entries[b].mean;
    return std::isfinite(x) && (!std::isfinite(y) || x < y);
  });
  for (size_t r = 0; r < order.size(); ++r) p.entries[order[r]].rank = static_cast<int64_t>(r) + 1;
}

std::vector<double> profile_taus(const std::vector<std::vector<double>>& values) {
  double worst = 2;
  const size_t problems = values.empty() ? 0 : values[0].size();
  for (size_t p = 0; p < problems; ++p) {
    double best = INFINITY;
    for (const auto& row : values)
      if (std::isfinite(row[p])) best = std::min(best, row[p]);
    for (const auto& row : values)
      if (std::isfinite(row[p]) && best > 0) worst = std::max(worst, row[p] / best * 1.05);
  }
  worst = std::min(worst, 100.0);
  std::vector<double> taus;
  for (int i = 0; i <= 120; ++i) taus.push_back(std::pow(worst, i / 120.0));
  return taus;
}

plot::LineChart curves_of(const ProblemResult& p, const std::string& id) {
  plot::LineChart chart;
  chart.id = id;
  chart.title = "val_loss per epoch at each optimizer's best learning rate";
  chart.x_title = "epoch";
  chart.y_title = "val_loss";
  chart.log_y = true;
  for (const Entry& e : p.entries) {
    if (!e.lr.empty())
      chart.series.push_back(epoch_series(with_lr(e.optimizer, e.lr), e.color_key, e.curve, e.lo,
                                          e.hi, e.trials.size() > 1));
  }
  return chart;
}

std::string id_of(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

plot::Page compare_page(const std::vector<ProblemResult>& problems,
                        const std::vector<std::string>& optimizers, const std::vector<double>& taus,
                        const std::vector<std::vector<double>>& profile,
                        const std::vector<double>& mean_rank, const std::vector<double>& mean_ratio,
                        const CompareOptions& o, int64_t seeds) {
  plot::Page page;
  page.title = "descent compare-optimizers";
  page.smoothing = 0;
  page.provenance["command"] = o.command;
  std::string names;
  for (const ProblemResult& p : problems) names += (names.empty() ? "" : ", ") + p.problem->name;
  page.blocks.push_back(plot::Paragraph{fmt::format(
      "{} optimizers on {} problems ({}). Ranked by their mean rank over the problems, ties by "
      "the mean of final loss / the best optimizer's. For each, the learning rate was tuned on a "
      "log grid of "
      "{} values with one seed and the other hyper-parameters at their defaults; the best "
      "learning rate (lowest final validation loss) was then trained with {} seeds. Numbers are "
      "the final validation loss, the mean over those seeds; the target of a problem is the best "
      "optimizer's final mean plus 10%.",
      optimizers.size(), problems.size(), names,
      problems.front().tuning.configurations.size() / std::max<size_t>(1, optimizers.size()),
      seeds)});

  page.blocks.push_back(plot::Heading{"Ranking"});
  plot::Table ranking;
  ranking.columns = {"optimizer", "mean rank", "mean final loss / best", "best on",
                     "within 10% on"};
  for (const ProblemResult& p : problems) ranking.columns.push_back("rank: " + p.problem->name);
  std::vector<size_t> order(optimizers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (mean_rank[a] != mean_rank[b]) return mean_rank[a] < mean_rank[b];
    return mean_ratio[a] < mean_ratio[b];
  });
  const size_t at_1_1 =
      static_cast<size_t>(std::lower_bound(taus.begin(), taus.end(), 1.1 - 1e-12) - taus.begin());
  for (size_t i : order) {
    std::vector<std::string> row = {
        optimizers[i], fmt::format("{:.2f}", mean_rank[i]), format_number(mean_ratio[i]),
        fmt::format("{:.0f} of {}", profile[i][0] * static_cast<double>(problems.size()),
                    problems.size()),
        at_1_1 < taus.size()
            ? fmt::format("{:.0f} of {}", profile[i][at_1_1] * static_cast<double>(problems.size()),
                          problems.size())
            : "-"};
    for (const ProblemResult& p : problems) row.push_back(std::to_string(p.entries[i].rank));
    ranking.rows.push_back(row);
  }
  page.blocks.push_back(ranking);

  plot::LineChart chart;
  chart.id = "performance_profile";
  chart.title = "performance profile: problems within tau x the best final loss";
  chart.x_title = "tau (final loss / the best optimizer's)";
  chart.y_title = "fraction of problems";
  chart.log_x = true;
  for (size_t i = 0; i < optimizers.size(); ++i) {
    plot::Series s;
    s.name = optimizers[i];
    s.color_key = plot::distinct_color_keys(optimizers)[i];
    s.x = taus;
    s.y = profile[i];
    chart.series.push_back(std::move(s));
  }
  page.blocks.push_back(plot::Paragraph{
      "Read the curves from the left: the height at tau = 1 is the fraction of problems on which "
      "an optimizer was the best; a curve that rises to 1 quickly is never far from the best."});
  page.blocks.push_back(plot::Figure{std::move(chart)});

  for (const ProblemResult& p : problems) {
    page.blocks.push_back(plot::Heading{p.problem->name});
    page.blocks.push_back(plot::Paragraph{
        p.problem->what + fmt::format(". Target: val_loss {}.", format_number(p.target))});
    plot::Table t;
    t.columns = {"rank",
                 "optimizer",
                 "best lr",
                 "val_loss (mean)",
                 "min .. max over seeds",
                 "epochs to target",
                 "steps to target",
                 "seconds to target"};
    std::vector<const Entry*> sorted;
    for (const Entry& e : p.entries) sorted.push_back(&e);
    std::sort(sorted.begin(), sorted.end(),
              [](const Entry* a, const Entry* b) { return a->rank < b->rank; });
    for (const Entry* e : sorted)
      t.rows.push_back(
          {std::to_string(e->rank), e->optimizer, e->lr.empty() ? "diverged" : e->lr,
           format_number(e->mean), format_number(e->min) + " .. " + format_number(e->max),
           e->epochs_to_target > 0 ? std::to_string(e->epochs_to_target) : "not reached",
           format_number(e->steps_to_target), format_number(e->seconds_to_target)});
    page.blocks.push_back(t);
    for (const Axis& axis : p.tuning.space.axes)
      if (axis.key == "optimizer.lr")
        page.blocks.push_back(plot::Figure{
            sensitivity_chart(p.tuning, p.tuning_results, axis, "lr_" + id_of(p.problem->name))});
    page.blocks.push_back(plot::Figure{curves_of(p, "curves_" + id_of(p.problem->name))});
  }
  return page;
}

}  // namespace

std::vector<std::string> default_optimizers(bool quick) {
  if (quick) return {"sgd", "sgd:momentum=0.9", "adam"};
  return {"sgd",     "sgd:momentum=0.9", "sgd:momentum=0.9,nesterov=true",
          "adagrad", "rmsprop",          "adam"};
}

std::vector<double> default_learning_rates(bool quick) {
  if (quick) return {1e-3, 1e-2, 1e-1, 1};
  std::vector<double> out;
  for (int i = -8; i <= 0; ++i) out.push_back(std::pow(10.0, i / 2.0));  // 1e-4 .. 1, half decades
  return out;
}

std::vector<std::vector<double>> performance_profile(const std::vector<std::vector<double>>& values,
                                                     const std::vector<double>& taus) {
  const size_t problems = values.empty() ? 0 : values[0].size();
  std::vector<double> best(problems, INFINITY);
  for (const auto& row : values)
    for (size_t p = 0; p < problems; ++p)
      if (std::isfinite(row[p])) best[p] = std::min(best[p], row[p]);
  std::vector<std::vector<double>> out;
  for (const auto& row : values) {
    std::vector<double> fractions;
    for (double tau : taus) {
      int within = 0;
      for (size_t p = 0; p < problems; ++p)
        if (std::isfinite(row[p]) && row[p] <= tau * best[p] * (1 + 1e-12)) ++within;
      fractions.push_back(problems ? static_cast<double>(within) / static_cast<double>(problems)
                                   : 0);
    }
    out.push_back(fractions);
  }
  return out;
}

CompareOutcome compare_optimizers(const CompareOptions& o) {
  CompareOutcome outcome;
  auto say = [&](const std::string& line) {
    if (o.progress) o.progress(line);
  };
  std::vector<const BenchmarkProblem*> problems;
  if (o.problems.empty())
    for (const BenchmarkProblem& p : benchmark_problems()) problems.push_back(&p);
  for (const std::string& name : o.problems) problems.push_back(&find_problem(name));
  const std::vector<std::string> optimizers =
      o.optimizers.empty() ? default_optimizers(o.quick) : o.optimizers;
  const std::vector<double> lrs = o.lrs.empty() ? default_learning_rates(o.quick) : o.lrs;
  const int64_t seeds = o.seeds > 0 ? o.seeds : (o.quick ? 2 : 3);
  for (const std::string& spec : optimizers)
    if (parse_spec(spec).args.count("lr"))
      throw std::invalid_argument("--optimizers '" + spec +
                                  "': the learning rate is what the protocol tunes; give the "
                                  "optimizer without lr");
  std::string lr_values;
  for (double lr : lrs) {
    if (!(lr > 0))
      throw std::invalid_argument(fmt::format("--lrs {}: learning rates must be > 0", lr));
    lr_values += (lr_values.empty() ? "" : ",") + sampled_text(lr);
  }
  std::string optimizer_values;
  for (const std::string& spec : optimizers)
    optimizer_values += (optimizer_values.empty() ? "" : ",") + grid_value(spec);

  // Every problem's tuning plan is made (and so checked) before anything trains.
  std::vector<SweepOptions> tunings;
  for (const BenchmarkProblem* p : problems) {
    SweepOptions s;
    s.plan.dir = o.dir / p->name / "tuning";
    s.plan.sets = o.quick ? p->quick_sets : p->sets;
    if (o.epochs > 0) s.plan.sets.push_back("train.epochs=" + std::to_string(o.epochs));
    s.plan.space.axes = {parse_grid_axis("optimizer=" + optimizer_values),
                         parse_grid_axis("optimizer.lr=" + lr_values)};
    s.plan.seeds = 1;
    s.parallel = o.parallel;
    s.threads = o.threads;
    s.program = o.program;
    s.command = o.command;
    s.report = o.report;
    s.progress = o.progress;
    const Config config = load_config({}, s.plan.sets);
    if (config.data.name == "fashion-mnist" && !std::filesystem::exists(config.data.dir))
      throw std::invalid_argument(
          "problem " + p->name + " needs Fashion-MNIST in " + config.data.dir +
          " (scripts/setup installs it); or choose --problems spirals,sine");
    make_plan(s.plan);
    tunings.push_back(std::move(s));
  }

  std::vector<ProblemResult> results;
  for (size_t pi = 0; pi < problems.size(); ++pi) {
    const BenchmarkProblem& problem = *problems[pi];
    say(fmt::format("{}: tuning {} optimizers x {} learning rates", problem.name, optimizers.size(),
                    lrs.size()));
    const SweepOutcome tuned = run_sweep(tunings[pi]);
    outcome.failed += tuned.failed;
    if (tuned.interrupted) {
      outcome.interrupted = true;
      return outcome;
    }
    ProblemResult pr;
    pr.problem = &problem;
    pr.tuning = tuned.plan;
    pr.tuning_results = tuned.results;
    // Each optimizer's best learning rate (its configurations are optimizer-major).
    std::string seed_values;
    const std::vector<std::string> colors = plot::distinct_color_keys(optimizers);
    for (size_t k = 0; k < optimizers.size(); ++k) {
      Entry e;
      e.optimizer = optimizers[k];
      e.color_key = colors[k];
      const ConfigResult* best = nullptr;
      for (size_t l = 0; l < lrs.size(); ++l) {
        const ConfigResult& c = tuned.results.configs[k * lrs.size() + l];
        if (std::isfinite(c.mean) && (!best || c.mean < best->mean)) best = &c;
      }
      if (best) {
        e.lr = tuned.plan.configurations[static_cast<size_t>(best->config)][1].second;
        const auto l = static_cast<size_t>(best->config) - k * lrs.size();
        e.lr_at_edge = lrs.size() > 2 && (l == 0 || l + 1 == lrs.size());
        e.trials.push_back(tuned.results.trials[best->trials.at(0)]);
        seed_values += (seed_values.empty() ? "" : ",") + grid_value(with_lr(e.optimizer, e.lr));
      }
      pr.entries.push_back(std::move(e));
    }
    if (seeds > 1 && !seed_values.empty()) {
      SweepOptions s = tunings[pi];
      s.plan.dir = o.dir / problem.name / "seeds";
      s.plan.space.axes = {parse_grid_axis("optimizer=" + seed_values)};
      // Seeds after the tuning run's: that run is the first seed.
      const Config base = load_config({}, s.plan.sets);
      s.plan.sets.push_back("seed=" + std::to_string(base.seed + 1));
      s.plan.seeds = seeds - 1;
      say(fmt::format("{}: {} more seed{} at each optimizer's best learning rate", problem.name,
                      seeds - 1, seeds == 2 ? "" : "s"));
      const SweepOutcome seeded = run_sweep(s);
      outcome.failed += seeded.failed;
      if (seeded.interrupted) {
        outcome.interrupted = true;
        return outcome;
      }
      size_t config = 0;
      for (Entry& e : pr.entries) {
        if (e.lr.empty()) continue;
        for (size_t t : seeded.results.configs[config].trials)
          e.trials.push_back(seeded.results.trials[t]);
        ++config;
      }
    }
    for (Entry& e : pr.entries) summarize(e);
    set_targets(pr);
    results.push_back(std::move(pr));
  }

  // Across problems: the profile and the mean rank.
  std::vector<std::vector<double>> values(optimizers.size());
  std::vector<double> mean_rank(optimizers.size(), 0), mean_ratio(optimizers.size(), 0);
  for (size_t k = 0; k < optimizers.size(); ++k)
    for (const ProblemResult& p : results) {
      values[k].push_back(p.entries[k].mean);
      mean_rank[k] += static_cast<double>(p.entries[k].rank) / static_cast<double>(results.size());
      // The final loss over the best's (the target's base); a diverged optimizer: infinite.
      const double best = p.target / (1 + kTargetSlack);
      const double ratio = std::isfinite(p.entries[k].mean) ? p.entries[k].mean / best : INFINITY;
      mean_ratio[k] += ratio / static_cast<double>(results.size());
    }
  const std::vector<double> taus = profile_taus(values);
  const auto profile = performance_profile(values, taus);

  nlohmann::json rows = nlohmann::json::array();
  std::ostringstream csv;
  csv << "problem,optimizer,rank,best_lr,val_loss_mean,val_loss_min,val_loss_max,seeds,target,"
         "epochs_to_target,steps_to_target,seconds_to_target\n";
  for (const ProblemResult& p : results)
    for (const Entry& e : p.entries) {
      rows.push_back({{"problem", p.problem->name},
                      {"optimizer", e.optimizer},
                      {"rank", e.rank},
                      {"best_lr", e.lr},
                      {"best_lr_at_grid_edge", e.lr_at_edge},
                      {"val_loss_mean", json_number(e.mean)},
                      {"val_loss_min", json_number(e.min)},
                      {"val_loss_max", json_number(e.max)},
                      {"seeds", e.trials.size()},
                      {"target", json_number(p.target)},
                      {"epochs_to_target", e.epochs_to_target},
                      {"steps_to_target", json_number(e.steps_to_target)},
                      {"seconds_to_target", json_number(e.seconds_to_target)}});
      csv << p.problem->name << ",\"" << e.optimizer << "\"," << e.rank << "," << e.lr << ","
          << csv_number(e.mean) << "," << csv_number(e.min) << "," << csv_number(e.max) << ","
          << e.trials.size() << "," << csv_number(p.target) << "," << e.epochs_to_target << ","
          << csv_number(e.steps_to_target) << "," << csv_number(e.seconds_to_target) << "\n";
    }
  nlohmann::json overall = nlohmann::json::array();
  for (size_t k = 0; k < optimizers.size(); ++k)
    overall.push_back(
        {{"optimizer", optimizers[k]},
         {"mean_rank", mean_rank[k]},
         {"mean_ratio_to_best",
          std::isfinite(mean_ratio[k]) ? nlohmann::json(mean_ratio[k]) : nlohmann::json(nullptr)},
         {"best_on", profile[k][0]},
         {"values", values[k]}});
  // By mean rank; ties by the mean ratio of final loss to the best's (closer to the best first).
  std::stable_sort(
      overall.begin(), overall.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
        const double ra = a["mean_rank"], rb = b["mean_rank"];
        if (ra != rb) return ra < rb;
        const double qa =
            a["mean_ratio_to_best"].is_null() ? INFINITY : a["mean_ratio_to_best"].get<double>();
        const double qb =
            b["mean_ratio_to_best"].is_null() ? INFINITY : b["mean_ratio_to_best"].get<double>();
        return qa < qb;
      });
  outcome.results = {
      {"problems", rows},
      {"ranking", overall},
      {"profile", {{"tau", taus}, {"optimizers", optimizers}, {"fraction", profile}}}};
  write_file_atomically(o.dir / "results.json", outcome.results.dump(2) + "\n");
  write_file_atomically(o.dir / "results.csv", csv.str());
  if (o.report) try {
      plot::write_html(
          compare_page(results, optimizers, taus, profile, mean_rank, mean_ratio, o, seeds),
          o.dir / "report.html");
    } catch (const std::exception& e) {
      outcome.report_error = e.what();
    }
  return outcome;
}

}  // namespace descent::sweep
