// curse-of-dimensionality: in high dimension a ball fills almost none of its cube, and distances
// between random points concentrate.
//
// The ball of radius 1/2 inscribed in the unit cube has volume pi^(d/2) / Gamma(d/2 + 1) / 2^d:
// measured here in closed form and by Monte Carlo (the fraction of uniform points of the cube
// within 1/2 of its centre). Concentration: for uniform points in [0,1]^d, the relative contrast
// (max - min) / min of the distances from a query point to the others, averaged over queries,
// falls towards 0 as d grows (Beyer et al. 1999), so "nearest" loses its meaning.
#include <algorithm>
#include <cmath>

#include "descent/experiments/experiment.h"
#include "descent/util/random.h"

namespace descent::experiments {
namespace {

double ball_to_cube(int64_t d) {
  return std::exp(0.5 * static_cast<double>(d) * std::log(M_PI) -
                  std::lgamma(0.5 * static_cast<double>(d) + 1) -
                  static_cast<double>(d) * std::log(2.0));
}

// The fraction of `samples` uniform points of [-1/2, 1/2]^d inside the ball of radius 1/2.
double ball_fraction_monte_carlo(int64_t d, int64_t samples, Generator& rng) {
  int64_t inside = 0;
  for (int64_t s = 0; s < samples; ++s) {
    double r2 = 0;
    for (int64_t i = 0; i < d && r2 <= 0.25; ++i) {
      const double x = rng.uniform() - 0.5;
      r2 += x * x;
    }
    inside += r2 <= 0.25;
  }
  return static_cast<double>(inside) / static_cast<double>(samples);
}

// The mean over `queries` query points of (max - min) / min of their distances to `points`
// uniform points of [0,1]^d.
double relative_contrast(int64_t d, int64_t points, int64_t queries, Generator& rng) {
  std::vector<double> p(static_cast<size_t>(points * d));
  for (double& v : p) v = rng.uniform();
  double sum = 0;
  std::vector<double> q(static_cast<size_t>(d));
  for (int64_t k = 0; k < queries; ++k) {
    for (double& v : q) v = rng.uniform();
    double lo = INFINITY, hi = 0;
    for (int64_t j = 0; j < points; ++j) {
      double r2 = 0;
      for (int64_t i = 0; i < d; ++i) {
        const double diff = p[static_cast<size_t>(j * d + i)] - q[static_cast<size_t>(i)];
        r2 += diff * diff;
      }
      lo = std::min(lo, r2);
      hi = std::max(hi, r2);
    }
    sum += (std::sqrt(hi) - std::sqrt(lo)) / std::sqrt(lo);
  }
  return sum / static_cast<double>(queries);
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const std::vector<int64_t> dims = p.integers("dims");
  const int64_t samples = p.integer("samples"), points = p.integer("points"),
                queries = p.integer("queries");
  for (int64_t d : dims)
    if (d < 1) throw std::invalid_argument("dims: every dimension must be at least 1");
  if (samples < 1 || points < 2 || queries < 1)
    throw std::invalid_argument("samples and queries must be at least 1, points at least 2");

  Generator rng(context.seed());
  const int64_t max_volume_d = p.integer("volume_dims");
  if (max_volume_d < 2) throw std::invalid_argument("volume_dims: expected at least 2");
  std::vector<std::vector<double>> volume_rows, contrast_rows;
  plot::Series exact = line("closed form"), measured = line("Monte Carlo");
  plot::Series contrast = line("(max - min) / min distance");
  double worst_z = 0;
  for (int64_t d = 1; d <= max_volume_d; ++d) {
    const double v = ball_to_cube(d), mc = ball_fraction_monte_carlo(d, samples, rng);
    volume_rows.push_back({static_cast<double>(d), v, mc});
    exact.x.push_back(static_cast<double>(d));
    exact.y.push_back(v);
    // A Monte Carlo fraction of 0 has no place on a log axis: left out of the line.
    if (mc > 0) {
      measured.x.push_back(static_cast<double>(d));
      measured.y.push_back(mc);
    }
    // Monte Carlo within 4 standard errors of the closed form where it can see the ball at all.
    if (v * static_cast<double>(samples) >= 10) {
      const double se = std::sqrt(v * (1 - v) / static_cast<double>(samples));
      worst_z = std::max(worst_z, std::fabs(mc - v) / se);
    }
  }
  for (int64_t d : dims) {
    const double c = relative_contrast(d, points, queries, rng);
    contrast_rows.push_back({static_cast<double>(d), c});
    contrast.x.push_back(static_cast<double>(d));
    contrast.y.push_back(c);
    context.progress("d=" + std::to_string(d) + " relative contrast " + std::to_string(c));
  }
  context.write_csv("volume.csv", {"d", "ball_to_cube", "monte_carlo"}, volume_rows);
  context.write_csv("distances.csv", {"d", "relative_contrast"}, contrast_rows);

  const double first_contrast = contrast.y.front(), last_contrast = contrast.y.back();
  // The share falls with every dimension past the first (at d = 1 the ball is the cube).
  bool falls = true;
  for (size_t k = 2; k < exact.y.size(); ++k) falls = falls && exact.y[k] < exact.y[k - 1];
  const bool agrees = falls && worst_z < 4 && last_contrast < first_contrast;

  plot::LineChart volume;
  volume.id = "volume";
  volume.title = "the inscribed ball's share of the cube";
  volume.x_title = "dimension d";
  volume.y_title = "volume(ball) / volume(cube)";
  volume.log_y = true;
  volume.series = {exact, measured};
  plot::LineChart spread;
  spread.id = "contrast";
  spread.title = "distances concentrate";
  spread.x_title = "dimension d";
  spread.y_title = "(max - min) / min distance";
  spread.log_x = spread.log_y = true;
  spread.series = {contrast};
  context.add_text("Volume",
                   "The ball of radius 1/2 inside the unit cube: closed form pi^(d/2) / "
                   "Gamma(d/2 + 1) / 2^d, and the fraction of " +
                       std::to_string(samples) + " uniform points of the cube that fall in it.");
  context.add_figure(volume);
  context.add_text("Distances", "For " + std::to_string(points) +
                                    " uniform points, the spread of the distances from a random "
                                    "query point, relative to the nearest, averaged over " +
                                    std::to_string(queries) + " queries.");
  context.add_figure(spread);

  auto at = [&](int64_t d) { return d <= max_volume_d ? ball_to_cube(d) : std::nan(""); };
  Outcome outcome;
  outcome.headline = {{"ball_to_cube_d10", at(10)},
                      {"ball_to_cube_d20", at(20)},
                      {"monte_carlo_worst_z", worst_z},
                      {"contrast_lowest_d", first_contrast},
                      {"contrast_highest_d", last_contrast}};
  char text[320];
  std::snprintf(text, sizeof text,
                "the ball fills %.3g of the cube at d=%lld and %.3g at d=%lld (Monte Carlo within "
                "%.1f standard errors); the distance contrast falls from %.3g at d=%lld to %.3g "
                "at d=%lld",
                exact.y[1], 2LL, exact.y.back(), static_cast<long long>(max_volume_d), worst_z,
                first_contrast, static_cast<long long>(dims.front()), last_contrast,
                static_cast<long long>(dims.back()));
  outcome.measured = text;
  outcome.agrees = agrees;
  return outcome;
}

}  // namespace

Experiment curse_of_dimensionality_experiment() {
  using K = Param::Kind;
  return {"curse-of-dimensionality",
          "a ball fills almost none of its cube in high dimension; distances concentrate",
          "the ball inscribed in a cube has volume pi^(d/2) / Gamma(d/2 + 1) / 2^d of the "
          "cube's, which goes to 0 as d grows; and the distances between random points become "
          "almost equal ((max - min) / min -> 0)",
          {{"volume_dims", K::Integer, "30", "20", "volumes for d = 1 .. this"},
           {"dims", K::Integers, "1,2,3,5,10,20,50,100,200,500,1000", "1,2,5,10,50,200",
            "the dimensions of the distance measurement"},
           {"samples", K::Integer, "1000000", "20000", "Monte Carlo points per dimension"},
           {"points", K::Integer, "1000", "200", "points per distance measurement"},
           {"queries", K::Integer, "100", "20", "query points averaged over"}},
          run};
}

}  // namespace descent::experiments
