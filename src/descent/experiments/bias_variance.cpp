// bias-variance: the classical U-curve. Expected test error = bias^2 + variance + noise: as a
// model gains capacity its bias falls and its variance rises, so the test error first falls and
// then rises again.
//
// Polynomials of degree 0 .. max_degree (Legendre basis, exact least squares) are fitted to
// `train_points` noisy samples y = sin(pi x) + N(0, noise^2) at fixed, evenly spaced x in
// [-1, 1] (the classical fixed design); over `repeats` training sets (fresh noise each), the mean
// prediction on a test grid gives bias^2 = mean (E f - g)^2 and variance = mean Var f, and their
// sum plus noise^2 is the expected test error.
#include <algorithm>
#include <cmath>

#include "descent/experiments/experiment.h"
#include "descent/experiments/least_squares.h"
#include "descent/util/random.h"

namespace descent::experiments {
namespace {

double truth(double x) { return std::sin(M_PI * x); }

// Legendre polynomials P_0 .. P_degree at x (well conditioned on [-1, 1]).
void legendre(double x, int64_t degree, double* out) {
  out[0] = 1;
  if (degree >= 1) out[1] = x;
  for (int64_t k = 2; k <= degree; ++k)
    out[k] = ((2 * k - 1) * x * out[k - 1] - (k - 1) * out[k - 2]) / static_cast<double>(k);
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const int64_t max_degree = p.integer("max_degree"), n = p.integer("train_points"),
                repeats = p.integer("repeats");
  const double noise = p.number("noise");
  if (max_degree < 2 || n < 3 || repeats < 2 || !(noise > 0))
    throw std::invalid_argument(
        "max_degree >= 2, train_points >= 3, repeats >= 2 and noise > 0 are needed");
  const int64_t grid = 201;
  std::vector<double> test_x(grid);
  for (int64_t i = 0; i < grid; ++i) test_x[i] = -1 + 2.0 * static_cast<double>(i) / (grid - 1);

  std::vector<std::vector<double>> rows;
  std::vector<plot::Series> series =
      lines({"bias²", "variance", "expected test error", "training error"});
  plot::Series &bias = series[0], &variance = series[1], &total = series[2], &train = series[3];
  for (int64_t d = 0; d <= max_degree; ++d) {
    const int64_t cols = d + 1;
    Generator rng(context.seed() * 7919 + 17);  // the same training sets for every degree
    std::vector<double> mean(grid, 0.0), mean_sq(grid, 0.0);
    double train_error = 0;
    std::vector<double> basis(static_cast<size_t>(cols));
    for (int64_t r = 0; r < repeats; ++r) {
      std::vector<double> a(static_cast<size_t>(n * cols)), y(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        const double x = -1 + (2 * static_cast<double>(i) + 1) / static_cast<double>(n);
        legendre(x, d, &a[i * cols]);
        y[i] = truth(x) + noise * rng.normal();
      }
      const std::vector<double> w = min_norm_least_squares(a, n, cols, y, 1, 1e-12);
      for (int64_t i = 0; i < n; ++i) {
        double f = 0;
        for (int64_t k = 0; k < cols; ++k) f += w[k] * a[i * cols + k];
        train_error += (f - y[i]) * (f - y[i]) / static_cast<double>(n * repeats);
      }
      for (int64_t i = 0; i < grid; ++i) {
        legendre(test_x[i], d, basis.data());
        double f = 0;
        for (int64_t k = 0; k < cols; ++k) f += w[k] * basis[k];
        mean[i] += f / static_cast<double>(repeats);
        mean_sq[i] += f * f / static_cast<double>(repeats);
      }
    }
    double b2 = 0, var = 0;
    const double reps = static_cast<double>(repeats);
    for (int64_t i = 0; i < grid; ++i) {
      // Unbiased over the finite repeats: the mean prediction's own variance, Var / (R - 1) once
      // Var is the sample variance, would otherwise count as bias.
      const double v = std::max(0.0, mean_sq[i] - mean[i] * mean[i]) * reps / (reps - 1);
      const double e = mean[i] - truth(test_x[i]);
      b2 += std::max(0.0, e * e - v / reps) / grid;
      var += v / grid;
    }
    const double err = b2 + var + noise * noise;
    rows.push_back({static_cast<double>(d), b2, var, err, train_error});
    for (plot::Series* s : {&bias, &variance, &total, &train})
      s->x.push_back(static_cast<double>(d));
    bias.y.push_back(b2);
    variance.y.push_back(var);
    total.y.push_back(err);
    train.y.push_back(train_error);
    context.progress("degree " + std::to_string(d) + ": bias^2 " + std::to_string(b2) +
                     ", variance " + std::to_string(var));
  }
  context.write_csv("degrees.csv", {"degree", "bias2", "variance", "test_error", "train_error"},
                    rows);

  const auto best = std::min_element(total.y.begin(), total.y.end()) - total.y.begin();
  const double at0 = total.y.front(), at_best = total.y[best], at_max = total.y.back();
  const bool agrees = best > 0 && best < max_degree && at_best < at0 && at_best < at_max &&
                      bias.y.back() < bias.y.front() && variance.y.back() > variance.y.front();

  plot::LineChart chart;
  chart.id = "u_curve";
  chart.title = "polynomial regression: error against degree";
  chart.x_title = "polynomial degree";
  chart.y_title = "mean squared error";
  chart.log_y = true;
  chart.series = series;
  chart.rules.push_back({static_cast<double>(best), "best degree " + std::to_string(best)});
  context.add_text("The U-curve",
                   std::to_string(n) + " noisy samples of sin(pi x) on [-1, 1] (noise " +
                       std::to_string(noise) + "), " + std::to_string(repeats) +
                       " training sets: the expected test error is bias² + variance + noise².");
  context.add_figure(chart);

  Outcome outcome;
  outcome.headline = {{"best_degree", best},
                      {"test_error_degree_0", at0},
                      {"test_error_best", at_best},
                      {"test_error_max_degree", at_max},
                      {"bias2_degree_0", bias.y.front()},
                      {"bias2_max_degree", bias.y.back()},
                      {"variance_degree_0", variance.y.front()},
                      {"variance_max_degree", variance.y.back()}};
  char text[300];
  std::snprintf(text, sizeof text,
                "expected test error %.3g at degree 0, %.3g at degree %lld (the least), %.3g at "
                "degree %lld; bias² falls %.3g -> %.3g while the variance rises %.3g -> %.3g",
                at0, at_best, static_cast<long long>(best), at_max,
                static_cast<long long>(max_degree), bias.y.front(), bias.y.back(),
                variance.y.front(), variance.y.back());
  outcome.measured = text;
  outcome.agrees = agrees;
  return outcome;
}

}  // namespace

Experiment bias_variance_experiment() {
  using K = Param::Kind;
  return {"bias-variance",
          "the classical U-curve: bias falls and variance rises with capacity",
          "expected test error = bias² + variance + noise²; as capacity grows the bias falls and "
          "the variance rises, so the test error traces a U",
          {{"max_degree", K::Integer, "14", "12", "the largest polynomial degree"},
           {"train_points", K::Integer, "20", "20", "training points per set"},
           {"repeats", K::Integer, "2000", "300", "training sets drawn"},
           {"noise", K::Number, "0.3", "0.3", "the noise's standard deviation"}},
          run};
}

}  // namespace descent::experiments
