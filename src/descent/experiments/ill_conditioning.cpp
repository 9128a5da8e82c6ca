// ill-conditioning: gradient descent zig-zags and slows down as the Hessian's condition number
// kappa grows; on a real network the notes' test says when a gradient step is too long.
//
// On f = (x^2 + kappa y^2) / 2 gradient descent with the best constant step 2 / (1 + kappa)
// shrinks the distance to the minimum by exactly rho = (kappa - 1) / (kappa + 1) per step (the
// steep coordinate flips sign every step: the zig-zag), so reaching a tolerance tol takes
// ceil(log tol / log rho) steps: 1 at kappa = 1, ~ (kappa / 2) log(1 / tol) for large kappa.
//
// The notes' test ("when ill-conditioning is a problem"): a step of size eps changes the loss by
// about -eps g'g + 0.5 eps^2 g'Hg, so it raises the loss once 0.5 eps^2 g'Hg > eps g'g. Training
// a small network at several learning rates, the curvature monitor (train/curvature.h) measures
// both terms at every step; the share of ill-conditioned steps grows with the learning rate.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "descent/data/synthetic.h"
#include "descent/experiments/drawn_path.h"
#include "descent/experiments/experiment.h"
#include "descent/functions/optimizer_path.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/registry.h"
#include "descent/plot/function_contour.h"
#include "descent/train/curvature.h"
#include "descent/util/random.h"

namespace descent::experiments {
namespace {

struct LrProbe {
  double lr, ill_share, median_flip_lr, final_loss;
};

// Trains `layers` on the set with plain SGD at lr for `steps` minibatch steps, probing every
// step before the weights move; returns the share of probes flagged.
LrProbe probe_training(const std::vector<std::string>& layers, const Dataset& data, double lr,
                       int64_t steps, int64_t batch, uint64_t seed) {
  Generator init(seed), order(seed + 2);
  auto model = build_network(layers, data.features(), init);
  auto opt = make_optimizer("sgd:lr=" + number_text(lr), model->parameters());
  const LossFunction loss = loss_by_name("cross_entropy");
  int64_t flagged = 0;
  std::vector<double> flips;
  double last_loss = NAN;
  for (int64_t s = 0; s < steps; ++s) {
    std::vector<int64_t> rows;
    for (int64_t k = 0; k < batch; ++k)
      rows.push_back(static_cast<int64_t>(order.below(static_cast<uint64_t>(data.size()))));
    const Dataset b = data.subset(rows);
    const CurvatureProbe probe = probe_curvature(*model, "cross_entropy", data.num_classes,
                                                 b.inputs, b.targets, lr, HessianMethod::Exact);
    flagged += probe.ill_conditioned;
    // The learning rate at which the test flips: 2 g'g / g'Hg (none for g'Hg <= 0).
    if (probe.g_hess_g > 0) flips.push_back(2 * probe.grad_sq / probe.g_hess_g);
    opt->zero_grad();
    Tensor l = loss((*model)(b.inputs), b.targets);
    l.backward();
    opt->step();
    last_loss = l.item();
    if (!std::isfinite(last_loss)) break;
  }
  std::sort(flips.begin(), flips.end());
  const double median = flips.empty() ? NAN : flips[flips.size() / 2];
  return {lr, static_cast<double>(flagged) / static_cast<double>(steps), median, last_loss};
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const std::vector<double> kappas = p.numbers("kappas"), lrs = p.numbers("lrs");
  const double tol = p.number("tol");
  const int64_t steps = p.integer("steps"), batch = p.integer("batch"), size = p.integer("size");
  for (double k : kappas)
    if (!(k >= 1)) throw std::invalid_argument("kappas: every kappa must be >= 1");
  for (double lr : lrs)
    if (!(lr > 0)) throw std::invalid_argument("lrs: every learning rate must be > 0");
  if (!(tol > 0 && tol < 1)) throw std::invalid_argument("tol: expected a number in (0, 1)");
  if (steps < 1 || batch < 1 || size < batch || lrs.size() < 2)
    throw std::invalid_argument(
        "steps and batch must be >= 1, size >= batch, and lrs needs two values");

  // Part 1: the quadratics.
  std::vector<std::vector<double>> quad_rows;
  plot::LineChart distance;
  distance.id = "distance";
  distance.title = "gradient descent at the step 2 / (1 + kappa)";
  distance.x_title = "step";
  distance.y_title = "||w - w*|| / ||w0 - w*||";
  distance.log_y = true;
  std::vector<plot::ContourPlot> contours;
  std::vector<double> measured_steps, predicted_steps;
  bool steps_agree = true;
  Generator unused(context.seed());
  for (double kappa : kappas) {
    const TestFunction fn = make_test_function("quadratic:kappa=" + number_text(kappa));
    const double lr = 2 / (1 + kappa), rho = (kappa - 1) / (kappa + 1);
    const double predicted = rho == 0 ? 1 : std::ceil(std::log(tol) / std::log(rho));
    PathOptions options;
    options.steps = static_cast<int64_t>(predicted) + 20;
    const OptimizerPath path =
        optimizer_path(fn, "sgd:lr=" + number_text(lr), fn.start_x, fn.start_y, options, unused);
    const double d0 = std::hypot(path.x[0], path.y[0]);
    int64_t reached = -1;
    plot::Series series{"kappa = " + number_text(kappa), "kappa" + number_text(kappa), {}, {}};
    for (size_t s = 0; s < path.x.size(); ++s) {
      const double d = std::hypot(path.x[s], path.y[s]) / d0;
      if (reached < 0 && d <= tol) reached = static_cast<int64_t>(s);
      // Float32 positions stop near 1e-38; the line stops at the tolerance's neighbourhood.
      if (d > 0 && d >= tol * 1e-3) {
        series.x.push_back(static_cast<double>(s));
        series.y.push_back(d);
      }
    }
    distance.series.push_back(series);
    measured_steps.push_back(static_cast<double>(reached));
    predicted_steps.push_back(predicted);
    // Float rounding may shift the crossing by a step.
    steps_agree = steps_agree && reached >= 0 && std::fabs(reached - predicted) <= 1;
    quad_rows.push_back({kappa, lr, rho, predicted, static_cast<double>(reached)});
    if (kappa > 1) {
      plot::ContourPlot c =
          plot::function_contour(fn, fn.domain, 121, "zigzag" + number_text(kappa));
      c.title = "kappa = " + number_text(kappa) + ": the first 30 steps";
      c.paths.push_back(drawn_path("gd, lr = " + number_text(lr), path, 30));
      c.width = 320;
      contours.push_back(c);
    }
    context.progress("kappa " + number_text(kappa) + ": " + std::to_string(reached) +
                     " steps to tol, predicted " + number_text(predicted));
  }
  context.write_csv("quadratics.csv", {"kappa", "lr", "rate", "predicted_steps", "measured_steps"},
                    quad_rows);
  bool steps_grow = true;
  for (size_t k = 1; k < measured_steps.size(); ++k)
    steps_grow =
        steps_grow && (kappas[k] <= kappas[k - 1] || measured_steps[k] > measured_steps[k - 1]);

  // Part 2: the notes' test on a real training run.
  Generator data_gen(context.seed() + 1);
  SyntheticOptions so;
  so.size = size;
  so.classes = 3;
  const Dataset data = make_synthetic_dataset("spirals", so, data_gen);
  const std::vector<std::string> layers = {"linear:out=32", "tanh", "linear:out=32", "tanh",
                                           "linear:out=3"};
  std::vector<std::vector<double>> lr_rows;
  plot::Series share{"ill-conditioned steps", "share", {}, {}};
  std::vector<LrProbe> probes;
  for (double lr : lrs) {
    const LrProbe r = probe_training(layers, data, lr, steps, batch, context.seed());
    probes.push_back(r);
    lr_rows.push_back({r.lr, r.ill_share, r.median_flip_lr, r.final_loss});
    share.x.push_back(lr);
    share.y.push_back(r.ill_share);
    context.progress("lr " + number_text(lr) + ": " + number_text(r.ill_share) +
                     " of steps ill-conditioned");
  }
  context.write_csv("training.csv", {"lr", "ill_conditioned_share", "median_flip_lr", "final_loss"},
                    lr_rows);
  plot::LineChart shares;
  shares.id = "share";
  shares.title = "share of steps with 0.5 eps^2 g'Hg > eps g'g (spirals, 2-32-32-3 tanh MLP)";
  shares.x_title = "learning rate eps";
  shares.y_title = "share of steps";
  shares.log_x = true;
  shares.series = {share};

  context.add_text("Quadratics",
                   "0.5 (x^2 + kappa y^2) from (1.5, 1) at the step 2 / (1 + kappa): the "
                   "distance falls by (kappa - 1) / (kappa + 1) per step.");
  context.add_figure(distance);
  for (const plot::ContourPlot& c : contours) context.add_figure(c);
  context.add_text("The notes' test during training",
                   "Plain SGD, batch " + std::to_string(batch) + ", " + std::to_string(steps) +
                       " steps per learning rate; every step probed (exact g'Hg) before the "
                       "weights move.");
  context.add_figure(shares);

  const double share_low = probes.front().ill_share, share_high = probes.back().ill_share;
  const bool agrees = steps_agree && steps_grow && share_high > share_low;
  Outcome outcome;
  nlohmann::json per_kappa = nlohmann::json::array();
  for (size_t k = 0; k < kappas.size(); ++k)
    per_kappa.push_back({{"kappa", kappas[k]},
                         {"predicted_steps", predicted_steps[k]},
                         {"measured_steps", measured_steps[k]}});
  nlohmann::json per_lr = nlohmann::json::array();
  for (const LrProbe& r : probes)
    per_lr.push_back({{"lr", r.lr},
                      {"ill_conditioned_share", r.ill_share},
                      {"median_flip_lr", r.median_flip_lr}});
  outcome.headline = {{"quadratics", per_kappa},
                      {"training", per_lr},
                      {"ill_share_lowest_lr", share_low},
                      {"ill_share_highest_lr", share_high}};
  std::string text = "steps to " + number_text(tol) + ":";
  for (size_t k = 0; k < kappas.size(); ++k)
    text += " kappa " + number_text(kappas[k]) + " " + number_text(measured_steps[k]) +
            " (predicted " + number_text(predicted_steps[k]) + ")" +
            (k + 1 < kappas.size() ? "," : ";");
  text += " ill-conditioned steps: " + number_text(share_low) + " at lr " +
          number_text(lrs.front()) + ", " + number_text(share_high) + " at lr " +
          number_text(lrs.back());
  outcome.measured = text;
  outcome.agrees = agrees;
  return outcome;
}

}  // namespace

Experiment ill_conditioning_experiment() {
  using K = Param::Kind;
  return {"ill-conditioning",
          "gradient descent zig-zags at large kappa; the notes' test flags too-long steps",
          "gradient descent on a quadratic of condition number kappa converges at the rate "
          "(kappa - 1) / (kappa + 1) per step, zig-zagging across the valley; a gradient step "
          "raises the loss when 0.5 eps^2 g'Hg exceeds eps g'g",
          {{"kappas", K::Numbers, "1,10,100", "1,10,100", "condition numbers of the quadratics"},
           {"tol", K::Number, "1e-4", "1e-4", "relative distance to the minimum to reach"},
           {"lrs", K::Numbers, "0.01,0.03,0.1,0.3,1,3", "0.03,0.3,3",
            "learning rates of the training runs"},
           {"steps", K::Integer, "400", "60", "SGD steps per learning rate (each one probed)"},
           {"batch", K::Integer, "32", "32", "minibatch size"},
           {"size", K::Integer, "1000", "300", "spirals examples"}},
          run};
}

}  // namespace descent::experiments
