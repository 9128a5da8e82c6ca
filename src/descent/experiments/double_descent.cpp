// double-descent: past the interpolation threshold, more parameters lower the test error again.
// Classical learning theory draws a U (bias-variance); models that can interpolate their training
// set show a second descent after a peak where the parameters just suffice to fit every training
// example (Belkin et al. 2019; Nakkiran et al. 2019 for deep networks).
//
// Random-features regression on Fashion-MNIST: p ReLU features relu(x W), W fixed at random,
// and the least-norm least-squares fit of the one-hot labels (10 outputs) on n training images
// with a fraction of their labels replaced by random ones. The fit interpolates once p >= n: the
// threshold, where the parameters (p per output) equal the examples, is at p = n. Test error is
// measured on held-out test images, against p.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "descent/app/config.h"
#include "descent/data/fashion_mnist.h"
#include "descent/experiments/experiment.h"
#include "descent/experiments/least_squares.h"
#include "descent/util/random.h"

namespace descent::experiments {
namespace {

// relu(x W) for the rows of x (n x d) and W (d x p), in double.
std::vector<double> features(const std::vector<double>& x, int64_t n, int64_t d,
                             const std::vector<double>& w, int64_t p) {
  std::vector<double> out(static_cast<size_t>(n * p), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < d; ++k) {
      const double v = x[i * d + k];
      if (v == 0) continue;  // most pixels are 0
      const double* wr = &w[k * p];
      double* o = &out[i * p];
      for (int64_t j = 0; j < p; ++j) o[j] += v * wr[j];
    }
  for (double& v : out) v = std::max(v, 0.0);
  return out;
}

Outcome run(Context& context) {
  const Params& par = context.params();
  const int64_t n = par.integer("train"), n_test = par.integer("test");
  const double noise = par.number("label_noise");
  std::vector<int64_t> widths = par.integers("features");
  if (n < 10 || n_test < 10 || noise < 0 || noise > 1)
    throw std::invalid_argument("train and test must be at least 10, label_noise in [0, 1]");
  std::sort(widths.begin(), widths.end());
  if (widths.front() < 1) throw std::invalid_argument("features: every count must be at least 1");

  const ImageClassificationData data = load_fashion_mnist(par.text("data_dir"));
  Generator rng(context.seed());
  auto take = [&](const Dataset& set, int64_t count, std::vector<double>& x,
                  std::vector<int64_t>& y) {
    if (count > set.size())
      throw std::invalid_argument("asked for " + std::to_string(count) + " images of " +
                                  std::to_string(set.size()));
    std::vector<int64_t> order(static_cast<size_t>(set.size()));
    for (int64_t i = 0; i < set.size(); ++i) order[i] = i;
    rng.shuffle(order);
    std::vector<float> row(static_cast<size_t>(set.features()));
    for (int64_t i = 0; i < count; ++i) {
      set.gather_inputs(&order[i], 1, row.data());
      x.insert(x.end(), row.begin(), row.end());
      y.push_back(static_cast<int64_t>(set.targets.data()[order[i]]));
    }
  };
  std::vector<double> x_train, x_test;
  std::vector<int64_t> y_train, y_test;
  take(data.train, n, x_train, y_train);
  take(data.test, n_test, x_test, y_test);
  int64_t flipped = 0;
  for (int64_t& label : y_train)
    if (rng.uniform() < noise) {
      label = static_cast<int64_t>(rng.below(10));
      ++flipped;
    }
  const int64_t d = data.train.features(), classes = 10;
  std::vector<double> targets(static_cast<size_t>(n * classes), 0.0);
  for (int64_t i = 0; i < n; ++i) targets[i * classes + y_train[i]] = 1;

  // One draw of W for the widest model; narrower ones use its first columns.
  const int64_t p_max = widths.back();
  std::vector<double> w_all(static_cast<size_t>(d * p_max));
  for (double& v : w_all) v = rng.normal() / std::sqrt(static_cast<double>(d));

  std::vector<std::vector<double>> rows;
  std::vector<plot::Series> series = lines({"test error", "training error"});
  std::vector<plot::Series> mse_series = lines({"test mean squared error"});
  for (int64_t p : widths) {
    std::vector<double> w(static_cast<size_t>(d * p));
    for (int64_t k = 0; k < d; ++k) std::copy(&w_all[k * p_max], &w_all[k * p_max] + p, &w[k * p]);
    const std::vector<double> f_train = features(x_train, n, d, w, p);
    const std::vector<double> beta = min_norm_least_squares(f_train, n, p, targets, classes, 1e-9);
    auto evaluate = [&](const std::vector<double>& f, int64_t count,
                        const std::vector<int64_t>& labels, double& mse) {
      int64_t wrong = 0;
      mse = 0;
      for (int64_t i = 0; i < count; ++i) {
        int64_t best = 0;
        double best_v = -INFINITY;
        for (int64_t c = 0; c < classes; ++c) {
          double v = 0;
          for (int64_t j = 0; j < p; ++j) v += f[i * p + j] * beta[j * classes + c];
          const double t = c == labels[i] ? 1 : 0;
          mse += (v - t) * (v - t) / static_cast<double>(count);
          if (v > best_v) best_v = v, best = c;
        }
        wrong += best != labels[i];
      }
      return static_cast<double>(wrong) / static_cast<double>(count);
    };
    double train_mse = 0, test_mse = 0;
    const double train_err = evaluate(f_train, n, y_train, train_mse);
    const double test_err = evaluate(features(x_test, n_test, d, w, p), n_test, y_test, test_mse);
    rows.push_back({static_cast<double>(p), train_err, test_err, train_mse, test_mse});
    series[0].x.push_back(static_cast<double>(p));
    series[0].y.push_back(test_err);
    series[1].x.push_back(static_cast<double>(p));
    series[1].y.push_back(train_err);
    mse_series[0].x.push_back(static_cast<double>(p));
    mse_series[0].y.push_back(test_mse);
    context.progress("p=" + std::to_string(p) + ": test error " + std::to_string(test_err) +
                     ", test mse " + std::to_string(test_mse));
  }
  context.write_csv("features.csv",
                    {"features", "train_error", "test_error", "train_mse", "test_mse"}, rows);

  const std::vector<double>& mse = mse_series[0].y;
  const size_t peak = std::max_element(mse.begin(), mse.end()) - mse.begin();
  const double peak_p = static_cast<double>(widths[peak]);
  // The first descent's best, before the threshold, and the second's, after it.
  double before = INFINITY, after = INFINITY;
  for (size_t k = 0; k < widths.size(); ++k)
    (widths[k] < n ? before : after) = std::min(widths[k] < n ? before : after, series[0].y[k]);
  const bool agrees = peak_p >= 0.7 * static_cast<double>(n) &&
                      peak_p <= 1.4 * static_cast<double>(n) && mse.back() < mse[peak] / 2 &&
                      series[0].y.back() < series[0].y[peak];

  plot::LineChart errors, squared;
  errors.id = "error";
  errors.title = "random features: classification error against features";
  errors.x_title = "features p (parameters per output)";
  errors.y_title = "misclassified fraction";
  errors.log_x = true;
  errors.series = series;
  errors.rules.push_back({static_cast<double>(n), "p = n"});
  squared = errors;
  squared.id = "mse";
  squared.title = "test mean squared error against features";
  squared.y_title = "mean squared error (one-hot targets)";
  squared.log_y = true;
  squared.series = mse_series;
  std::ostringstream setup;
  setup << n << " training images (" << flipped << " labels replaced at random), " << n_test
        << " test images; p ReLU random features and the least-norm least-squares fit.";
  context.add_text("Double descent", setup.str());
  context.add_figure(errors);
  context.add_figure(squared);

  Outcome outcome;
  outcome.headline = {{"threshold_features", n},
                      {"peak_features", peak_p},
                      {"peak_test_mse", mse[peak]},
                      {"widest_test_mse", mse.back()},
                      {"peak_test_error", series[0].y[peak]},
                      {"best_test_error_below_threshold", before},
                      {"best_test_error_above_threshold", after},
                      {"widest_test_error", series[0].y.back()}};
  char text[300];
  std::snprintf(text, sizeof text,
                "test error peaks at p = %g features (threshold p = n = %lld): %.3g, against "
                "%.3g at best below the threshold and %.3g at p = %lld; test squared error "
                "%.3g at the peak, %.3g at the widest",
                peak_p, static_cast<long long>(n), series[0].y[peak], before, series[0].y.back(),
                static_cast<long long>(widths.back()), mse[peak], mse.back());
  outcome.measured = text;
  outcome.agrees = agrees;
  return outcome;
}

}  // namespace

Experiment double_descent_experiment() {
  using K = Param::Kind;
  return {
      "double-descent",
      "past the interpolation threshold, more parameters lower the test error again",
      "test error against capacity falls, peaks where the model can just interpolate the "
      "training set (parameters about equal to examples times outputs), then falls again",
      {{"train", K::Integer, "1000", "200", "training images"},
       {"test", K::Integer, "2000", "500", "test images"},
       {"label_noise", K::Number, "0.2", "0.2", "fraction of training labels made random"},
       {"features", K::Integers, "50,100,200,400,600,800,900,1000,1100,1200,1500,2000,4000,8000",
        "20,50,100,150,180,200,220,250,400,800,1600", "random feature counts p"},
       {"data_dir", K::Text, Config{}.data.dir, Config{}.data.dir, "the Fashion-MNIST directory"}},
      run};
}

}  // namespace descent::experiments
