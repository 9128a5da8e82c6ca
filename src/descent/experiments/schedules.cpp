// schedules: every learning-rate schedule family of the notes on one figure, read from the
// library's schedulers (schedule/registry.h) step by step, and the notes' closed forms checked:
//   cosine        alpha_t = alpha_0 (1 + cos(pi t / T)) / 2
//   linear        alpha_t = alpha_0 (1 - t / T)
//   inverse time  alpha_t = alpha_0 (1 + d) / (1 + d (t + 1))   (1-based epochs, docs/schedules.md)
//   linear warmup alpha_t = alpha_0 min(t, W) / W               (start factor 0)
// plus step (x0.1 at fixed points), exponential decay, inverse square root with warmup, the
// linear-then-constant decay of Goodfellow et al. 8.3.1, and cosine with warm restarts.
#include <cmath>
#include <cstdio>

#include "descent/experiments/experiment.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
#include "descent/plot/palette.h"
#include "descent/schedule/factory.h"

namespace descent::experiments {
namespace {

struct Family {
  std::string label, spec;
  // The notes' closed form of alpha_t / alpha_0, where the notes give one (else null).
  double (*closed)(double t, double T) = nullptr;
};

std::vector<Family> families(int64_t steps) {
  const auto T = static_cast<double>(steps);
  auto at = [&](double share) {
    return std::to_string(std::max<int64_t>(1, std::llround(share * T)));
  };
  return {
      {"step (x0.1 at 30%, 60%, 90%)",
       "multistep:milestones=[" + at(0.3) + "," + at(0.6) + "," + at(0.9) + "],gamma=0.1"},
      {"exponential", "exponential_epoch:gamma=" + number_text(std::pow(0.01, 1 / T))},
      {"inverse time", "inverse_time:decay=0.1",
       [](double t, double) { return 1.1 / (1 + 0.1 * (t + 1)); }},
      {"inverse sqrt + warmup", "inverse_sqrt:warmup_steps=" + at(0.1)},
      {"cosine", "cosine:t_max=" + std::to_string(steps),
       [](double t, double T) { return 0.5 * (1 + std::cos(M_PI * t / T)); }},
      {"linear", "polynomial:total_iters=" + std::to_string(steps) + ",power=1",
       [](double t, double T) { return 1 - t / T; }},
      {"linear then constant", "linear_then_constant:tau=" + at(0.5) + ",final_factor=0.1"},
      {"cosine restarts", "cosine_restarts:t_0=" + at(0.25)},
      {"linear warmup", "linear_warmup:warmup_steps=" + at(0.1) + ",start_factor=0",
       [](double t, double T) { return std::min(t, std::round(0.1 * T)) / std::round(0.1 * T); }},
  };
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const int64_t steps = p.integer("steps");
  const double lr = p.number("lr");
  if (steps < 10) throw std::invalid_argument("steps: expected at least 10");
  if (!(lr > 0)) throw std::invalid_argument("lr: expected a number > 0");

  plot::LineChart chart;
  chart.id = "schedules";
  chart.title = "the notes' schedules, alpha_0 = " + number_text(lr);
  chart.x_title = "step t";
  chart.y_title = "learning rate";
  chart.width = 620;
  chart.height = 340;
  std::vector<std::string> header = {"step"};
  std::vector<std::vector<double>> rows(static_cast<size_t>(steps + 1));
  for (int64_t t = 0; t <= steps; ++t)
    rows[static_cast<size_t>(t)].push_back(static_cast<double>(t));
  nlohmann::json per = nlohmann::json::object();
  double worst_closed = 0;
  int64_t checked = 0;
  const std::vector<Family> all = families(steps);
  std::vector<std::string> labels;
  for (const Family& family : all) labels.push_back(family.label);
  const std::vector<std::string> colors = plot::distinct_color_keys(labels);
  for (size_t f = 0; f < all.size(); ++f) {
    const Family& family = all[f];
    Tensor dummy = Tensor::from({1}, {0.f});
    dummy.requires_grad_();
    auto opt = make_optimizer("sgd:lr=" + number_text(lr), {dummy});
    auto sched = make_scheduler(family.spec, *opt);
    plot::Series s{family.label, colors[f], {}, {}};
    double worst = 0;
    for (int64_t t = 0; t <= steps; ++t) {
      const double v = opt->param_groups()[0].get("lr");
      s.x.push_back(static_cast<double>(t));
      s.y.push_back(v);
      rows[static_cast<size_t>(t)].push_back(v);
      if (family.closed)
        worst = std::max(worst, std::fabs(v - lr * family.closed(static_cast<double>(t),
                                                                 static_cast<double>(steps))) /
                                    lr);
      sched->step();
    }
    header.push_back(family.spec);
    per[family.label] = {{"spec", family.spec},
                         {"lr_start", s.y.front()},
                         {"lr_middle", s.y[s.y.size() / 2]},
                         {"lr_end", s.y.back()}};
    if (family.closed) {
      per[family.label]["closed_form_worst_error"] = worst;
      worst_closed = std::max(worst_closed, worst);
      ++checked;
    }
    chart.series.push_back(s);
  }
  context.write_csv("schedules.csv", header, rows);
  context.add_text("Schedules", "Each family stepped once per step on an SGD optimizer at lr " +
                                    number_text(lr) + "; the SPECs are the CSV's column names.");
  context.add_figure(chart);

  Outcome outcome;
  outcome.headline = {{"schedules", per}, {"closed_form_worst_error", worst_closed}};
  char text[240];
  std::snprintf(text, sizeof text,
                "%zu families over %lld steps; the %lld with a closed form in the notes match it "
                "within %.2g (relative to alpha_0)",
                per.size(), static_cast<long long>(steps), static_cast<long long>(checked),
                worst_closed);
  outcome.measured = text;
  outcome.agrees = worst_closed < 1e-9;
  return outcome;
}

}  // namespace

Experiment schedules_experiment() {
  using K = Param::Kind;
  return {"schedules",
          "every learning-rate schedule family of the notes on one figure",
          "step, exponential, inverse time alpha_0 / t, inverse sqrt alpha_0 / sqrt(t), cosine "
          "alpha_0 (1 + cos(pi t / T)) / 2, linear alpha_0 (1 - t / T), linear then constant, "
          "cosine restarts and linear warmup, each as the notes write it",
          {{"steps", K::Integer, "200", "100", "the horizon T"},
           {"lr", K::Number, "0.1", "0.1", "alpha_0"}},
          run};
}

}  // namespace descent::experiments
