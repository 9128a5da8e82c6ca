// saddle-points: how long gradient descent, SGD (gradient noise) and momentum take to leave a
// saddle, from starts ever closer to its stable direction.
//
// On f = x^2 - y^2 from (x0, y0), gradient descent at step alpha multiplies y by (1 + 2 alpha)
// per step, so it needs about log(1 / |y0|) / log(1 + 2 alpha) steps to reach |y| ~ 1 (the loss
// below -1): the escape time grows without bound as y0 -> 0, and from y0 = 0 exactly it never
// leaves (it converges to the saddle). Noise in the gradient (SGD) kicks y off 0 by ~ alpha sigma
// per step, so its escape time stays bounded however close the start; momentum multiplies the
// growth rate, leaving sooner than GD from the same start but, without noise, never from y0 = 0.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "descent/experiments/drawn_path.h"
#include "descent/experiments/experiment.h"
#include "descent/functions/optimizer_path.h"
#include "descent/plot/function_contour.h"

namespace descent::experiments {
namespace {

// The first step at which the loss is below `escape` (-1: not within the steps).
int64_t escape_step(const OptimizerPath& path, double escape) {
  for (size_t s = 0; s < path.loss.size(); ++s)
    if (path.loss[s] < escape) return static_cast<int64_t>(s);
  return -1;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const double lr = p.number("lr"), noise = p.number("noise"), momentum = p.number("momentum"),
               escape = p.number("escape_loss"), x0 = p.number("x0");
  const std::vector<double> offsets = p.numbers("y0");
  const int64_t steps = p.integer("steps"), seeds = p.integer("seeds");
  if (!(lr > 0) || !(noise > 0) || !(momentum > 0 && momentum < 1) || !(escape < 0) || steps < 1 ||
      seeds < 1 || offsets.empty())
    throw std::invalid_argument(
        "lr and noise > 0, momentum in (0, 1), escape_loss < 0, steps and seeds >= 1, and y0 "
        "values expected");
  for (double y : offsets)
    if (!(y >= 0)) throw std::invalid_argument("y0: every offset must be >= 0");

  const TestFunction fn = make_test_function("saddle");
  const std::string gd = "sgd:lr=" + number_text(lr),
                    heavy = "sgd:lr=" + number_text(lr) + ",momentum=" + number_text(momentum);
  PathOptions quiet, noisy;
  quiet.steps = noisy.steps = steps;
  quiet.stop_distance = noisy.stop_distance = 4;  // past the escape: the rest is the open side
  noisy.gradient_noise = noise;
  Generator rng(context.seed());

  std::vector<std::vector<double>> rows;
  plot::Series s_gd{"gd", "gd", {}, {}},
      s_mom{"momentum " + number_text(momentum), "momentum", {}, {}},
      s_sgd{"sgd (noise " + number_text(noise) + "), median of " + std::to_string(seeds),
            "sgd",
            {},
            {}},
      s_theory{"gd: log(1/y0) / log(1 + 2 alpha)", "gd", {}, {}};
  s_theory.faint = true;
  nlohmann::json per = nlohmann::json::array();
  bool gd_matches = true, sgd_bounded = true, momentum_faster = true;
  double sgd_worst = 0;
  // The x-axis of the escape chart is log y0: the exact start y0 = 0 is drawn at the smallest
  // positive offset / 10 and named in the data.
  double smallest = INFINITY;
  for (double y : offsets)
    if (y > 0) smallest = std::min(smallest, y);
  for (double y0 : offsets) {
    const int64_t e_gd = escape_step(optimizer_path(fn, gd, x0, y0, quiet, rng), escape);
    const int64_t e_mom = escape_step(optimizer_path(fn, heavy, x0, y0, quiet, rng), escape);
    std::vector<double> e_sgd;
    int64_t stuck = 0;
    for (int64_t k = 0; k < seeds; ++k) {
      const int64_t e = escape_step(optimizer_path(fn, gd, x0, y0, noisy, rng), escape);
      if (e < 0) ++stuck;
      e_sgd.push_back(e < 0 ? INFINITY : static_cast<double>(e));
    }
    const double sgd_median = median(e_sgd);
    // Gradient descent from y0 > 0: |y_t| = y0 (1 + 2 alpha)^t; the loss x_t^2 - y_t^2 falls
    // below `escape` once y_t^2 > x_t^2 - escape, a little after |y_t| = sqrt(-escape).
    const double predicted =
        y0 > 0 ? std::log(std::sqrt(-escape) / y0) / std::log(1 + 2 * lr) : INFINITY;
    const double where = y0 > 0 ? y0 : smallest / 10;
    rows.push_back({y0, static_cast<double>(e_gd), static_cast<double>(e_mom), sgd_median,
                    static_cast<double>(stuck), predicted});
    if (e_gd >= 0) s_gd.x.push_back(where), s_gd.y.push_back(static_cast<double>(e_gd));
    if (e_mom >= 0) s_mom.x.push_back(where), s_mom.y.push_back(static_cast<double>(e_mom));
    if (std::isfinite(sgd_median)) s_sgd.x.push_back(where), s_sgd.y.push_back(sgd_median);
    if (std::isfinite(predicted)) s_theory.x.push_back(where), s_theory.y.push_back(predicted);
    auto as_json = [](int64_t e) { return e < 0 ? nlohmann::json(nullptr) : nlohmann::json(e); };
    per.push_back({{"y0", y0},
                   {"gd", as_json(e_gd)},
                   {"gd_predicted",
                    std::isfinite(predicted) ? nlohmann::json(predicted) : nlohmann::json(nullptr)},
                   {"momentum", as_json(e_mom)},
                   {"sgd_median", std::isfinite(sgd_median) ? nlohmann::json(sgd_median)
                                                            : nlohmann::json(nullptr)},
                   {"sgd_runs_not_escaped", stuck}});
    // GD within a few steps of the prediction (the prediction ignores x's shrinking share of the
    // loss), never from 0 exactly; SGD always; momentum before GD.
    gd_matches = gd_matches && (y0 > 0 ? e_gd >= 0 && std::fabs(e_gd - predicted) <= 3 : e_gd < 0);
    sgd_bounded = sgd_bounded && stuck == 0;
    sgd_worst = std::max(sgd_worst, sgd_median);
    momentum_faster = momentum_faster && (y0 > 0 ? e_mom >= 0 && e_mom < e_gd : e_mom < 0);
    context.progress("y0 " + number_text(y0) + ": gd " + std::to_string(e_gd) + ", momentum " +
                     std::to_string(e_mom) + ", sgd " + number_text(sgd_median));
  }
  context.write_csv(
      "escape.csv",
      {"y0", "gd_steps", "momentum_steps", "sgd_median_steps", "sgd_not_escaped", "gd_predicted"},
      rows);

  plot::LineChart chart;
  chart.id = "escape";
  chart.title = "steps until the loss falls below " + number_text(escape);
  chart.x_title = "start offset y0 (y0 = 0 drawn at " + number_text(smallest / 10) + ")";
  chart.y_title = "steps to escape";
  chart.log_x = true;
  chart.series = {s_gd, s_theory, s_mom, s_sgd};
  // The paths from the closest non-zero start, and SGD's from exactly 0.
  plot::ContourPlot contour = plot::function_contour(fn, fn.domain, 121, "paths");
  contour.title = "from (" + number_text(x0) + ", " + number_text(smallest) + "); sgd from (" +
                  number_text(x0) + ", 0)";
  contour.paths.push_back(drawn_path("gd", optimizer_path(fn, gd, x0, smallest, quiet, rng)));
  contour.paths.push_back(
      drawn_path("momentum", optimizer_path(fn, heavy, x0, smallest, quiet, rng)));
  contour.paths.push_back(drawn_path("sgd (noise)", optimizer_path(fn, gd, x0, 0, noisy, rng)));
  context.add_text("Escaping x^2 - y^2",
                   "From (" + number_text(x0) + ", y0): gradient descent (" + gd + "), momentum (" +
                       heavy + ") and SGD: gradient descent plus N(0, " + number_text(noise) +
                       "^2) noise on each gradient component, " + std::to_string(seeds) +
                       " runs per start.");
  context.add_figure(chart);
  context.add_figure(contour);

  Outcome outcome;
  outcome.headline = {{"starts", per}, {"sgd_worst_median_escape", sgd_worst}};
  const nlohmann::json& last = per.back();
  char text[400];
  std::snprintf(text, sizeof text,
                "from y0 = %g: gd %s, momentum %s, sgd (median) %s steps; gd follows log(1/y0) / "
                "log(1 + 2 alpha) %s; sgd's escape stays below %g steps for every start",
                last["y0"].get<double>(), last["gd"].dump().c_str(),
                last["momentum"].dump().c_str(), last["sgd_median"].dump().c_str(),
                gd_matches ? "within 3 steps" : "NOT closely", sgd_worst);
  outcome.measured = text;
  outcome.agrees = gd_matches && sgd_bounded && momentum_faster;
  return outcome;
}

}  // namespace

Experiment saddle_points_experiment() {
  using K = Param::Kind;
  return {"saddle-points",
          "escape time from a saddle: gradient descent, SGD (noise), momentum",
          "near a saddle the gradient vanishes: gradient descent's escape time grows like "
          "log(1 / y0) / log(1 + 2 alpha) as the start nears the stable direction, and from it "
          "exactly it never escapes; gradient noise (SGD) escapes in bounded time; momentum "
          "escapes faster than gradient descent",
          {{"y0", K::Numbers, "1e-1,1e-2,1e-3,1e-4,1e-5,1e-6,1e-7,0", "1e-1,1e-3,1e-6,0",
            "start offsets from the stable direction"},
           {"x0", K::Number, "1", "1", "the start's x"},
           {"lr", K::Number, "0.05", "0.05", "the step alpha"},
           {"momentum", K::Number, "0.9", "0.9", "momentum's rho"},
           {"noise", K::Number, "0.01", "0.01", "SGD's gradient noise (standard deviation)"},
           {"seeds", K::Integer, "50", "10", "SGD runs per start"},
           {"steps", K::Integer, "1000", "500", "the most steps a run takes"},
           {"escape_loss", K::Number, "-1", "-1", "escaped once the loss is below this"}},
          run};
}

}  // namespace descent::experiments
