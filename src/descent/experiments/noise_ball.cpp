// noise-ball: SGD with a constant step converges into a ball around the minimum, not to it.
//
// The notes (convergence of SGD, after Turinici 2021): if the per-example gradient has variance at
// most sigma^2, the gradient of the expected loss is bounded, ||grad L(w)||^2 <= mu^2, and L is
// c-strongly convex, then SGD with step alpha and batches of B examples satisfies
//
//   limsup_t E||W_t - w*||^2 <= alpha (sigma^2 / B + mu^2) / (2c),
//
// so the ball grows with alpha and shrinks with B (log-log slopes 1 and -1 where sigma^2 / B
// dominates mu^2), and a step that decays to 0 shrinks it to nothing.
//
// The problem: least squares in d dimensions, x ~ N(0, diag(lambda)) with lambda spread
// geometrically over [c, c kappa], y = x'w* + noise. L(w) = E (x'w - y)^2 / 2 has Hessian
// diag(lambda), so c is its smallest eigenvalue. sigma^2 and mu^2 are measured where the runs
// are: the per-example gradient variance (Monte Carlo) and ||grad L||^2 (exact) at w* and at the
// last point of every run, their largest values taken as the notes' bounds.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "descent/experiments/experiment.h"
#include "descent/experiments/fit.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
#include "descent/plot/palette.h"
#include "descent/schedule/factory.h"
#include "descent/util/random.h"

namespace descent::experiments {
namespace {

struct LeastSquares {
  std::vector<double> lambda, w_star;
  double noise = 1;

  size_t dim() const { return lambda.size(); }
  // One example: x ~ N(0, diag(lambda)), y = x'w* + noise N(0, 1).
  void draw(Generator& rng, std::vector<double>& x, double& y) const {
    y = 0;
    for (size_t i = 0; i < dim(); ++i) {
      x[i] = std::sqrt(lambda[i]) * rng.normal();
      y += x[i] * w_star[i];
    }
    y += noise * rng.normal();
  }
  // The mean gradient over a batch of `batch` fresh examples at w, into g.
  void batch_gradient(const std::vector<double>& w, int64_t batch, Generator& rng,
                      std::vector<double>& g, std::vector<double>& x) const {
    std::fill(g.begin(), g.end(), 0.0);
    for (int64_t b = 0; b < batch; ++b) {
      double y = 0;
      draw(rng, x, y);
      double r = -y;
      for (size_t i = 0; i < dim(); ++i) r += x[i] * w[i];
      for (size_t i = 0; i < dim(); ++i) g[i] += r * x[i];
    }
    for (double& v : g) v /= static_cast<double>(batch);
  }
  // ||grad L(w)||^2 = ||diag(lambda) (w - w*)||^2.
  double mean_gradient_sq(const std::vector<double>& w) const {
    double s = 0;
    for (size_t i = 0; i < dim(); ++i) s += std::pow(lambda[i] * (w[i] - w_star[i]), 2);
    return s;
  }
  // The trace of the per-example gradient's covariance at w, by Monte Carlo over `samples`.
  double gradient_variance(const std::vector<double>& w, int64_t samples, Generator& rng) const {
    std::vector<double> g(dim()), x(dim()), sum(dim(), 0.0);
    double sq = 0;
    for (int64_t s = 0; s < samples; ++s) {
      batch_gradient(w, 1, rng, g, x);
      for (size_t i = 0; i < dim(); ++i) {
        sum[i] += g[i];
        sq += g[i] * g[i];
      }
    }
    const double n = static_cast<double>(samples);
    double mean_sq = 0;
    for (double v : sum) mean_sq += (v / n) * (v / n);
    return sq / n - mean_sq;
  }
  double distance_sq(const std::vector<double>& w) const {
    double s = 0;
    for (size_t i = 0; i < dim(); ++i) s += std::pow(w[i] - w_star[i], 2);
    return s;
  }
};

// SGD at a constant step from w*: `burn_in` steps to forget the start, then the mean of
// ||w - w*||^2 over `measure` steps. Returns that mean; `last` gets the final point.
double stationary_radius(const LeastSquares& problem, double alpha, int64_t batch, int64_t burn_in,
                         int64_t measure, Generator& rng, std::vector<double>& last) {
  std::vector<double> w = problem.w_star, g(problem.dim()), x(problem.dim());
  double sum = 0;
  for (int64_t t = 0; t < burn_in + measure; ++t) {
    problem.batch_gradient(w, batch, rng, g, x);
    for (size_t i = 0; i < w.size(); ++i) w[i] -= alpha * g[i];
    if (t >= burn_in) sum += problem.distance_sq(w);
  }
  last = w;
  return sum / static_cast<double>(measure);
}

// E||W_t - w*||^2 over `chains` runs from w* + 1 at the step the schedule SPEC gives (read from
// the library's scheduler on an SGD optimizer), recorded every `every` steps.
std::vector<double> mean_distance_path(const LeastSquares& problem, const std::string& schedule,
                                       double alpha, int64_t batch, int64_t steps, int64_t chains,
                                       int64_t every, Generator& rng) {
  Tensor dummy = Tensor::from({1}, {0.f});
  dummy.requires_grad_();
  auto opt = make_optimizer("sgd:lr=" + std::to_string(alpha), {dummy});
  auto sched = make_scheduler(schedule, *opt);
  std::vector<double> lrs;
  for (int64_t t = 0; t < steps; ++t) {
    lrs.push_back(opt->param_groups()[0].get("lr"));
    sched->step();
  }
  std::vector<double> mean(static_cast<size_t>(steps / every + 1), 0.0);
  std::vector<double> g(problem.dim()), x(problem.dim());
  for (int64_t k = 0; k < chains; ++k) {
    std::vector<double> w = problem.w_star;
    for (double& v : w) v += 1;
    mean[0] += problem.distance_sq(w);
    for (int64_t t = 0; t < steps; ++t) {
      problem.batch_gradient(w, batch, rng, g, x);
      for (size_t i = 0; i < w.size(); ++i) w[i] -= lrs[static_cast<size_t>(t)] * g[i];
      if ((t + 1) % every == 0)
        mean[static_cast<size_t>((t + 1) / every)] += problem.distance_sq(w);
    }
  }
  for (double& v : mean) v /= static_cast<double>(chains);
  return mean;
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const std::vector<double> alphas = p.numbers("alphas");
  const std::vector<int64_t> batches = p.integers("batches");
  const int64_t d = p.integer("dim"), measure = p.integer("measure_steps"),
                chains = p.integer("chains"), decay_steps = p.integer("decay_steps");
  const double c = p.number("c"), kappa = p.number("kappa"), noise = p.number("noise");
  if (alphas.size() < 2 || batches.size() < 2)
    throw std::invalid_argument("alphas and batches: expected at least two values each");
  for (double a : alphas)
    if (!(a > 0)) throw std::invalid_argument("alphas: every step must be > 0");
  for (int64_t b : batches)
    if (b < 1) throw std::invalid_argument("batches: every batch size must be at least 1");
  if (d < 1 || measure < 1 || chains < 1 || decay_steps < 10 || !(c > 0) || !(kappa >= 1) ||
      !(noise > 0))
    throw std::invalid_argument(
        "dim, measure_steps, chains must be >= 1, decay_steps >= 10, c and noise > 0, kappa >= 1");

  Generator rng(context.seed());
  LeastSquares problem;
  problem.noise = noise;
  for (int64_t i = 0; i < d; ++i) {
    problem.lambda.push_back(
        c * std::pow(kappa, d == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(d - 1)));
    problem.w_star.push_back(rng.normal());
  }

  // The grid of stationary radii, and the points the runs ended at (where sigma^2, mu^2 are read).
  const size_t na = alphas.size(), nb = batches.size();
  std::vector<double> radius(na * nb);
  std::vector<std::vector<double>> probes = {problem.w_star};
  for (size_t j = 0; j < nb; ++j)
    for (size_t i = 0; i < na; ++i) {
      // Ten relaxation times 1 / (alpha c) of the slowest direction forget the start.
      const auto burn_in = static_cast<int64_t>(std::ceil(10 / (alphas[i] * c)));
      std::vector<double> last;
      radius[j * na + i] =
          stationary_radius(problem, alphas[i], batches[j], burn_in, measure, rng, last);
      probes.push_back(last);
      context.progress("alpha " + std::to_string(alphas[i]) + " B " + std::to_string(batches[j]) +
                       ": E||w - w*||^2 = " + std::to_string(radius[j * na + i]));
    }
  double sigma2 = 0, mu2 = 0;
  for (const auto& w : probes) {
    sigma2 = std::max(sigma2, problem.gradient_variance(w, 20000, rng));
    mu2 = std::max(mu2, problem.mean_gradient_sq(w));
  }
  auto bound = [&](double alpha, int64_t b) {
    return alpha * (sigma2 / static_cast<double>(b) + mu2) / (2 * c);
  };

  std::vector<std::vector<double>> rows;
  double worst_ratio = 0;  // measured / bound, largest over the grid
  for (size_t j = 0; j < nb; ++j)
    for (size_t i = 0; i < na; ++i) {
      const double r = radius[j * na + i], b = bound(alphas[i], batches[j]);
      rows.push_back({alphas[i], static_cast<double>(batches[j]), r, b});
      worst_ratio = std::max(worst_ratio, r / b);
    }
  context.write_csv("radius.csv", {"alpha", "batch", "measured", "bound"}, rows);

  // Slopes: against alpha at each B, against B at each alpha, averaged.
  std::vector<double> alpha_slopes, batch_slopes;
  for (size_t j = 0; j < nb; ++j) {
    std::vector<double> y(radius.begin() + static_cast<long>(j * na),
                          radius.begin() + static_cast<long>((j + 1) * na));
    alpha_slopes.push_back(loglog_slope(alphas, y));
  }
  std::vector<double> bs(batches.begin(), batches.end());
  for (size_t i = 0; i < na; ++i) {
    std::vector<double> y;
    for (size_t j = 0; j < nb; ++j) y.push_back(radius[j * na + i]);
    batch_slopes.push_back(loglog_slope(bs, y));
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  const double slope_alpha = mean(alpha_slopes), slope_batch = mean(batch_slopes);

  // The ball shrinking: a constant step against inverse-time decay, from the same start.
  const double alpha0 = alphas.back();
  const int64_t batch0 = batches.front(), every = std::max<int64_t>(1, decay_steps / 200);
  const std::string decay_spec =
      "inverse_time:decay=" + std::to_string(alpha0 * c) + ",steps_per_epoch=1";
  const std::vector<double> constant_path = mean_distance_path(
      problem, "constant:factor=1,total_iters=0", alpha0, batch0, decay_steps, chains, every, rng);
  const std::vector<double> decay_path =
      mean_distance_path(problem, decay_spec, alpha0, batch0, decay_steps, chains, every, rng);
  std::vector<std::vector<double>> path_rows;
  plot::Series constant_series{
      "constant alpha = " + std::to_string(alpha0).substr(0, 6), "constant", {}, {}};
  plot::Series decay_series{"inverse-time decay", "decay", {}, {}};
  for (size_t k = 0; k < constant_path.size(); ++k) {
    const double step = static_cast<double>(k) * static_cast<double>(every);
    path_rows.push_back({step, constant_path[k], decay_path[k]});
    constant_series.x.push_back(step + 1);  // log axis: step + 1
    constant_series.y.push_back(constant_path[k]);
    decay_series.x.push_back(step + 1);
    decay_series.y.push_back(decay_path[k]);
  }
  context.write_csv("schedule.csv", {"step", "constant", "inverse_time"}, path_rows);
  const double ball_constant = constant_path.back(), ball_decay = decay_path.back();

  // Figures: the measured radius over (alpha, B); measured and bound against alpha per B; the
  // constant step's ball against the decaying step's shrinking one.
  plot::Heatmap heat;
  heat.id = "radius";
  heat.title = "measured E||w - w*||^2 at stationarity";
  heat.x.title = "step alpha";
  heat.x.values = alphas;
  heat.y.title = "batch size B";
  heat.y.values = bs;
  heat.values = radius;
  heat.value_title = "E||w - w*||^2";
  heat.log_color = true;
  heat.cell_text = true;
  plot::LineChart lines;
  lines.id = "against_alpha";
  lines.title = "measured (solid) and the notes' bound (faint) against alpha";
  lines.x_title = "step alpha";
  lines.y_title = "E||w - w*||^2";
  lines.log_x = lines.log_y = true;
  std::vector<std::string> names;
  for (int64_t b : batches) names.push_back("B = " + std::to_string(b));
  const std::vector<std::string> colors = plot::distinct_color_keys(names);
  for (size_t j = 0; j < nb; ++j) {
    const std::string& name = names[j];
    plot::Series m{name, colors[j], alphas, {}}, b{name + " bound", colors[j], alphas, {}};
    for (size_t i = 0; i < na; ++i) {
      m.y.push_back(radius[j * na + i]);
      b.y.push_back(bound(alphas[i], batches[j]));
    }
    b.faint = true;
    lines.series.push_back(m);
    lines.series.push_back(b);
  }
  plot::LineChart shrink;
  shrink.id = "schedule";
  shrink.title = "a decaying step shrinks the ball (mean of " + std::to_string(chains) + " runs)";
  shrink.x_title = "step + 1";
  shrink.y_title = "E||w - w*||^2";
  shrink.log_x = shrink.log_y = true;
  shrink.series = {constant_series, decay_series};

  char setup[400];
  std::snprintf(setup, sizeof setup,
                "Least squares in %lld dimensions, Hessian eigenvalues from c = %g to %g, label "
                "noise %g. Measured on the runs: sigma^2 = %.4g (per-example gradient variance), "
                "mu^2 = %.3g (squared mean gradient), both the largest at w* and the runs' last "
                "points.",
                static_cast<long long>(d), c, c * kappa, noise, sigma2, mu2);
  context.add_text("The ball over step and batch size", setup);
  context.add_figure(heat);
  context.add_figure(lines, "Faint: alpha (sigma^2 / B + mu^2) / 2c with the measured constants.");
  context.add_text("A decaying step", "SGD from w* + 1 at alpha = " + std::to_string(alpha0) +
                                          ", B = " + std::to_string(batch0) +
                                          ": constant, and the inverse_time schedule " +
                                          decay_spec + ".");
  context.add_figure(shrink);

  const bool agrees = worst_ratio <= 1 && slope_alpha > 0.7 && slope_alpha < 1.3 &&
                      slope_batch < -0.7 && slope_batch > -1.3 && ball_decay < ball_constant / 2;
  Outcome outcome;
  outcome.headline = {{"slope_alpha", slope_alpha},
                      {"slope_batch", slope_batch},
                      {"sigma2", sigma2},
                      {"mu2", mu2},
                      {"c", c},
                      {"worst_measured_over_bound", worst_ratio},
                      {"ball_constant_step", ball_constant},
                      {"ball_decaying_step", ball_decay}};
  char text[400];
  std::snprintf(text, sizeof text,
                "log-log slope of the ball against alpha %.3f (theory 1) and against B %.3f "
                "(theory -1); measured / bound at most %.2f; after %lld steps the ball is %.3g "
                "at a constant step and %.3g with inverse-time decay",
                slope_alpha, slope_batch, worst_ratio, static_cast<long long>(decay_steps),
                ball_constant, ball_decay);
  outcome.measured = text;
  outcome.agrees = agrees;
  return outcome;
}

}  // namespace

Experiment noise_ball_experiment() {
  using K = Param::Kind;
  return {"noise-ball",
          "SGD with a constant step ends in a ball of radius ~ alpha (sigma^2/B + mu^2) / 2c",
          "with gradient variance <= sigma^2, ||grad L||^2 <= mu^2 and c-strong convexity, SGD "
          "with step alpha and batch B has limsup E||W_t - w*||^2 <= alpha (sigma^2 / B + mu^2) "
          "/ (2c): the ball grows like alpha, shrinks like 1/B, and vanishes as alpha decays",
          {{"alphas", K::Numbers, "0.0025,0.005,0.01,0.02,0.04,0.08", "0.01,0.02,0.04",
            "the constant steps"},
           {"batches", K::Integers, "1,4,16,64,256", "1,4,16", "the batch sizes"},
           {"dim", K::Integer, "10", "5", "the problem's dimension"},
           {"c", K::Number, "0.5", "0.5", "the smallest Hessian eigenvalue (strong convexity)"},
           {"kappa", K::Number, "4", "4", "largest / smallest Hessian eigenvalue"},
           {"noise", K::Number, "1", "1", "standard deviation of the label noise"},
           {"measure_steps", K::Integer, "40000", "8000",
            "steps averaged over at stationarity, per (alpha, B)"},
           {"chains", K::Integer, "100", "20", "runs averaged in the schedule comparison"},
           {"decay_steps", K::Integer, "20000", "3000", "steps of the schedule comparison"}},
          run};
}

}  // namespace descent::experiments
