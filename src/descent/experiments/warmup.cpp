// warmup: a high learning rate at the start of training makes the loss jump; a linear warmup
// from 0 (Goyal et al. 2017) removes the early instability and keeps the high rate afterwards.
//
// The notes: "high learning rates at the start can make the loss explode; linear warmup avoids
// it by raising the learning rate from 0 progressively", alpha_t = alpha min(t, W) / W. Measured:
// a small MLP trained on spirals with Adam at a high alpha, with and without
// linear_warmup, over several seeds; the per-step loss, the largest loss of the first steps and
// the number of spikes (steps whose loss is more than `spike` times the untrained network's).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "descent/data/synthetic.h"
#include "descent/experiments/experiment.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/registry.h"
#include "descent/plot/palette.h"
#include "descent/schedule/factory.h"
#include "descent/util/random.h"

namespace descent::experiments {
namespace {

// The per-step training loss (on each step's batch, before the step) of one run.
std::vector<double> train_losses(const Dataset& data, const std::vector<std::string>& layers,
                                 const std::string& optimizer, const std::string& schedule,
                                 int64_t steps, int64_t batch, uint64_t seed) {
  Generator init(seed), order(seed + 2);
  auto model = build_network(layers, data.features(), init);
  auto opt = make_optimizer(optimizer, model->parameters());
  std::unique_ptr<Scheduler> sched;
  if (!schedule.empty()) sched = make_scheduler(schedule, *opt);
  const LossFunction loss = loss_by_name("cross_entropy");
  std::vector<double> losses;
  for (int64_t s = 0; s < steps; ++s) {
    std::vector<int64_t> rows;
    for (int64_t k = 0; k < batch; ++k)
      rows.push_back(static_cast<int64_t>(order.below(static_cast<uint64_t>(data.size()))));
    const Dataset b = data.subset(rows);
    opt->zero_grad();
    Tensor l = loss((*model)(b.inputs), b.targets);
    const double v = l.item();
    losses.push_back(std::isfinite(v) ? v : INFINITY);
    if (!std::isfinite(v)) {  // diverged: the rest of the run is lost
      losses.resize(static_cast<size_t>(steps), INFINITY);
      break;
    }
    l.backward();
    opt->step();
    if (sched) sched->step();
  }
  return losses;
}

struct Summary {
  double early_max = 0, spikes = 0, final_loss = 0;
};

// Spikes: steps whose loss is above `spike` times the untrained network's (step 0's): training
// has made the model worse than its random start.
Summary summarize(const std::vector<double>& losses, int64_t early, double spike, int64_t tail) {
  Summary s;
  for (size_t t = 0; t < losses.size(); ++t) {
    if (static_cast<int64_t>(t) < early) s.early_max = std::max(s.early_max, losses[t]);
    if (losses[t] > spike * losses.front()) s.spikes += 1;
  }
  for (size_t t = losses.size() - static_cast<size_t>(tail); t < losses.size(); ++t)
    s.final_loss += losses[t] / static_cast<double>(tail);
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const double lr = p.number("lr"), spike = p.number("spike");
  const int64_t steps = p.integer("steps"), warmup = p.integer("warmup_steps"),
                seeds = p.integer("seeds"), batch = p.integer("batch"), size = p.integer("size");
  if (!(lr > 0) || !(spike > 1) || warmup < 1 || seeds < 1 || batch < 1 || size < batch ||
      steps < 2 * warmup)
    throw std::invalid_argument(
        "lr > 0, spike > 1, warmup_steps, seeds, batch >= 1, size >= batch and steps >= 2 "
        "warmup_steps expected");
  const int64_t early = 2 * warmup, tail = std::max<int64_t>(1, steps / 10);

  Generator data_gen(context.seed() + 1);
  SyntheticOptions so;
  so.size = size;
  const Dataset data = make_synthetic_dataset("spirals", so, data_gen);
  const std::vector<std::string> layers = {"linear:out=64", "relu", "linear:out=64", "relu",
                                           "linear:out=3"};
  const std::string base = p.text("optimizer");
  const std::string optimizer =
      base + (base.find(':') == std::string::npos ? ":" : ",") + "lr=" + number_text(lr);
  const std::string schedule =
      "linear_warmup:warmup_steps=" + std::to_string(warmup) + ",start_factor=0";

  plot::LineChart chart;
  chart.id = "loss";
  chart.title = "training loss per step, " + optimizer;
  chart.x_title = "step";
  chart.y_title = "cross-entropy on the step's batch";
  chart.log_y = true;
  chart.rules = {{static_cast<double>(warmup), "warmup ends"}};
  std::vector<std::vector<double>> rows;
  std::vector<double> early_plain, early_warm, spikes_plain, spikes_warm, final_plain, final_warm;
  for (int64_t k = 0; k < seeds; ++k) {
    const uint64_t seed = context.seed() + 100 * static_cast<uint64_t>(k);
    const std::vector<double> plain = train_losses(data, layers, optimizer, "", steps, batch, seed);
    const std::vector<double> warm =
        train_losses(data, layers, optimizer, schedule, steps, batch, seed);
    const Summary a = summarize(plain, early, spike, tail), b = summarize(warm, early, spike, tail);
    early_plain.push_back(a.early_max);
    early_warm.push_back(b.early_max);
    spikes_plain.push_back(a.spikes);
    spikes_warm.push_back(b.spikes);
    final_plain.push_back(a.final_loss);
    final_warm.push_back(b.final_loss);
    const std::vector<std::string> colors = plot::distinct_color_keys({"no warmup", "warmup"});
    plot::Series sp{"no warmup", colors[0], {}, {}}, sw{"linear warmup", colors[1], {}, {}};
    sp.faint = sw.faint = k > 0;  // the first seed drawn bold, the others faint
    if (k > 0)
      sp.name += " (seed " + std::to_string(k) + ")",
          sw.name += " (seed " + std::to_string(k) + ")";
    for (int64_t t = 0; t < steps; ++t) {
      rows.push_back({static_cast<double>(k), static_cast<double>(t), plain[static_cast<size_t>(t)],
                      warm[static_cast<size_t>(t)]});
      // A diverged run's infinite losses have no place on the chart.
      if (std::isfinite(plain[static_cast<size_t>(t)])) {
        sp.x.push_back(static_cast<double>(t));
        sp.y.push_back(plain[static_cast<size_t>(t)]);
      }
      sw.x.push_back(static_cast<double>(t));
      sw.y.push_back(warm[static_cast<size_t>(t)]);
    }
    chart.series.push_back(sp);
    chart.series.push_back(sw);
    context.progress("seed " + std::to_string(k) + ": early max " + number_text(a.early_max) +
                     " without warmup, " + number_text(b.early_max) + " with");
  }
  context.write_csv("losses.csv", {"seed", "step", "no_warmup", "warmup"}, rows);
  context.add_text("Training at a high learning rate",
                   "A 2-64-64-3 ReLU MLP on " + std::to_string(size) + " spirals points, batch " +
                       std::to_string(batch) + ", " + std::to_string(seeds) +
                       " seeds; warmup: " + schedule + ".");
  // The first steps, where the two differ: the whole run is mostly batch noise at the same rate.
  plot::LineChart early_chart = chart;
  early_chart.id = "early";
  early_chart.title = "the first " + std::to_string(3 * warmup) + " steps, " + optimizer;
  for (plot::Series& s : early_chart.series) {
    size_t n = 0;
    while (n < s.x.size() && s.x[n] < static_cast<double>(3 * warmup)) ++n;
    s.x.resize(n);
    s.y.resize(n);
  }
  context.add_figure(early_chart);
  context.add_figure(chart);

  const double em_plain = median(early_plain), em_warm = median(early_warm);
  const double sp_plain = median(spikes_plain), sp_warm = median(spikes_warm);
  Outcome outcome;
  outcome.headline = {{"early_steps", early},
                      {"median_early_max_loss_no_warmup", em_plain},
                      {"median_early_max_loss_warmup", em_warm},
                      {"median_spikes_no_warmup", sp_plain},
                      {"median_spikes_warmup", sp_warm},
                      {"median_final_loss_no_warmup", median(final_plain)},
                      {"median_final_loss_warmup", median(final_warm)}};
  char text[400];
  std::snprintf(text, sizeof text,
                "median over %lld seeds: the largest loss of the first %lld steps is %.3g without "
                "warmup and %.3g with it; spikes (loss > %g x the initial loss) %g vs %g; final "
                "loss %.3g vs %.3g",
                static_cast<long long>(seeds), static_cast<long long>(early), em_plain, em_warm,
                spike, sp_plain, sp_warm, median(final_plain), median(final_warm));
  outcome.measured = text;
  outcome.agrees = em_warm < em_plain && sp_warm <= sp_plain;
  return outcome;
}

}  // namespace

Experiment warmup_experiment() {
  using K = Param::Kind;
  return {"warmup",
          "a high learning rate with and without linear warmup: the early spikes",
          "a high learning rate at the start can make the loss explode; a linear warmup "
          "alpha_t = alpha min(t, W) / W from 0 avoids it (Goyal et al. 2017)",
          {{"lr", K::Number, "0.2", "0.2", "the learning rate after warmup"},
           {"optimizer", K::Text, "adam", "adam", "the optimizer SPEC, without lr"},
           {"warmup_steps", K::Integer, "50", "30", "W"},
           {"steps", K::Integer, "600", "150", "training steps"},
           {"seeds", K::Integer, "5", "2", "runs per setting"},
           {"batch", K::Integer, "32", "32", "minibatch size"},
           {"size", K::Integer, "1000", "500", "spirals examples"},
           {"spike", K::Number, "1.5", "1.5",
            "a loss this many times the untrained network's is a spike"}},
          run};
}

}  // namespace descent::experiments
