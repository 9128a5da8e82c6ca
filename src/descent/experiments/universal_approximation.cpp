// universal-approximation: one hidden layer of enough units approximates any continuous function
// on a compact set, if and only if the activation is not a polynomial (Leshno et al. 1993).
//
// One-hidden-layer networks of growing width are fitted (Adam, full batch) to a 1-D function and
// to a 2-D classification set (two spirals). With tanh or ReLU the error keeps falling as the
// layer widens. With square, x^2, the network sum_i c_i (a_i x + b_i)^2 + d is a polynomial of
// degree 2 however wide it is: its error stops at the best quadratic's (computed here by least
// squares) and its decision boundary is a conic, which cannot wind around a spiral.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "descent/data/synthetic.h"
#include "descent/experiments/experiment.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/nn/sequential.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
#include "descent/plot/palette.h"
#include "descent/util/random.h"

namespace descent::experiments {
namespace {

// The 1-D target on [-2, 2]: smooth, with wiggles no quadratic follows.
double target(double x) { return std::sin(3 * x) + 0.5 * std::cos(7 * x) + 0.3 * x; }

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::stringstream in(text);
  for (std::string w; std::getline(in, w, ',');)
    if (!w.empty()) words.push_back(w);
  return words;
}

// Fits `layers` to (x, y) by full-batch Adam; returns the trained network.
std::unique_ptr<Sequential> fit(const std::vector<std::string>& layers, const Tensor& x,
                                const Tensor& y, bool classify, int64_t steps, double lr,
                                uint64_t seed) {
  Generator gen(seed);
  auto net = build_network(layers, x.size(1), gen);
  auto optimizer = make_optimizer("adam:lr=" + std::to_string(lr), net->parameters());
  for (int64_t s = 0; s < steps; ++s) {
    optimizer->zero_grad();
    const Tensor out = net->forward(x);
    Tensor loss = classify ? cross_entropy(out, y) : mse_loss(out, y);
    loss.backward();
    optimizer->step();
  }
  return net;
}

// The root mean square error of the best polynomial of degree 2 through (x, y), by the normal
// equations (3 x 3, solved by Cramer's rule).
double best_quadratic_rmse(const std::vector<double>& x, const std::vector<double>& y) {
  double s[5] = {0, 0, 0, 0, 0}, t[3] = {0, 0, 0};
  for (size_t i = 0; i < x.size(); ++i) {
    double p = 1;
    for (int k = 0; k < 5; ++k, p *= x[i]) s[k] += p;
    t[0] += y[i];
    t[1] += y[i] * x[i];
    t[2] += y[i] * x[i] * x[i];
  }
  const double m[3][3] = {{s[0], s[1], s[2]}, {s[1], s[2], s[3]}, {s[2], s[3], s[4]}};
  auto det = [](const double a[3][3]) {
    return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
           a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
           a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  };
  const double d = det(m);
  double coef[3];
  for (int c = 0; c < 3; ++c) {
    double mc[3][3];
    for (int r = 0; r < 3; ++r)
      for (int k = 0; k < 3; ++k) mc[r][k] = k == c ? t[r] : m[r][k];
    coef[c] = det(mc) / d;
  }
  double sse = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double e = coef[0] + coef[1] * x[i] + coef[2] * x[i] * x[i] - y[i];
    sse += e * e;
  }
  return std::sqrt(sse / static_cast<double>(x.size()));
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const std::vector<int64_t> widths = p.integers("widths");
  const std::vector<std::string> activations = split_words(p.text("activations"));
  const int64_t steps = p.integer("steps"), points = p.integer("points");
  const double lr = p.number("lr");
  if (widths.empty() || steps < 1 || points < 8 || !(lr > 0))
    throw std::invalid_argument("widths must be given, steps >= 1, points >= 8, lr > 0");
  for (int64_t w : widths)
    if (w < 1) throw std::invalid_argument("widths: every width must be at least 1");
  if (std::find(activations.begin(), activations.end(), "square") == activations.end())
    throw std::invalid_argument("activations: the comparison needs square among them");

  // 1-D regression: points evenly over [-2, 2].
  std::vector<float> xs(static_cast<size_t>(points)), ys(xs.size());
  std::vector<double> xd(xs.size()), yd(xs.size());
  for (int64_t i = 0; i < points; ++i) {
    xd[i] = -2 + 4 * static_cast<double>(i) / static_cast<double>(points - 1);
    yd[i] = target(xd[i]);
    xs[i] = static_cast<float>(xd[i]);
    ys[i] = static_cast<float>(yd[i]);
  }
  const Tensor x = Tensor::from({points, 1}, xs), y = Tensor::from({points, 1}, ys);
  const double quadratic_floor = best_quadratic_rmse(xd, yd);

  // 2-D classification: two spirals.
  Generator data_gen(context.seed() + 1);
  SyntheticOptions spiral_options;
  spiral_options.size = points * 2;
  spiral_options.classes = 2;
  spiral_options.noise = 0.1;
  const Dataset spirals = make_synthetic_dataset("spirals", spiral_options, data_gen);

  plot::LineChart error_chart, accuracy_chart, fits;
  error_chart.id = "error";
  error_chart.title = "1-D fit: error against width";
  error_chart.x_title = "hidden units";
  error_chart.y_title = "root mean square error";
  error_chart.log_x = error_chart.log_y = true;
  accuracy_chart.id = "spirals";
  accuracy_chart.title = "two spirals: training error against width";
  accuracy_chart.x_title = "hidden units";
  accuracy_chart.y_title = "misclassified fraction";
  accuracy_chart.log_x = true;
  fits.id = "fits";
  fits.title = "the fits at " + std::to_string(widths.back()) + " hidden units";
  fits.x_title = "x";
  fits.y_title = "y";
  plot::Series truth = line("target");
  truth.x = xd;
  truth.y = yd;
  fits.series.push_back(truth);

  std::vector<std::vector<double>> rows;
  nlohmann::json headline = nlohmann::json::object();
  bool agrees = true;
  double square_best_miss = 0, others_worst_miss = 0;
  std::ostringstream measured;
  std::vector<plot::Heatmap> regions;
  // One colour per activation in every figure, none the target's.
  std::vector<std::string> keys = {"target"};
  keys.insert(keys.end(), activations.begin(), activations.end());
  keys = plot::distinct_color_keys(keys);
  fits.series.front().color_key = keys[0];
  for (size_t a = 0; a < activations.size(); ++a) {
    const std::string& act = activations[a];
    const std::string& key = keys[a + 1];
    plot::Series err = line(act, key), miss = line(act, key);
    std::unique_ptr<Sequential> widest, widest_classifier;
    for (int64_t w : widths) {
      const std::vector<std::string> layers = {"linear:out=" + std::to_string(w), act,
                                               "linear:out=1"};
      auto net = fit(layers, x, y, false, steps, lr, context.seed());
      const Tensor out = net->forward(x);
      double sse = 0;
      for (int64_t i = 0; i < points; ++i) {
        const double e = out.data()[i] - yd[i];
        sse += e * e;
      }
      const double rmse = std::sqrt(sse / static_cast<double>(points));
      auto classifier = fit({"linear:out=" + std::to_string(w), act, "linear:out=2"},
                            spirals.inputs, spirals.targets, true, steps, lr, context.seed());
      const Tensor logits = classifier->forward(spirals.inputs);
      int64_t wrong = 0;
      for (int64_t i = 0; i < spirals.size(); ++i) {
        const int64_t predicted = logits.data()[2 * i + 1] > logits.data()[2 * i] ? 1 : 0;
        wrong += predicted != static_cast<int64_t>(spirals.targets.data()[i]);
      }
      const double miss_rate = static_cast<double>(wrong) / static_cast<double>(spirals.size());
      rows.push_back({static_cast<double>(w), rmse, miss_rate});
      err.x.push_back(static_cast<double>(w));
      err.y.push_back(rmse);
      miss.x.push_back(static_cast<double>(w));
      miss.y.push_back(miss_rate);
      context.progress(act + " width " + std::to_string(w) + ": rmse " + std::to_string(rmse) +
                       ", spirals misclassified " + std::to_string(miss_rate));
      widest = std::move(net);
      widest_classifier = std::move(classifier);
    }
    context.write_csv("width-" + act + ".csv", {"width", "rmse", "spirals_misclassified"}, rows);
    rows.clear();
    error_chart.series.push_back(err);
    accuracy_chart.series.push_back(miss);
    plot::Series fit_line = line(act, key);
    fit_line.x = xd;
    const Tensor out = widest->forward(x);
    for (int64_t i = 0; i < points; ++i) fit_line.y.push_back(out.data()[i]);
    fits.series.push_back(fit_line);

    // The widest classifier's P(class 1) over the plane: the boundary where it crosses 1/2.
    const int64_t grid = 61;
    plot::Heatmap map;
    map.id = "regions_" + act;
    map.title = act + ": P(second spiral), " + std::to_string(widths.back()) + " units";
    map.value_title = "P(class 1)";
    map.center = 0.5;
    map.width = 240;
    std::vector<float> plane;
    for (int64_t r = 0; r < grid; ++r)
      for (int64_t c = 0; c < grid; ++c) {
        plane.push_back(static_cast<float>(-1.2 + 2.4 * c / (grid - 1)));
        plane.push_back(static_cast<float>(-1.2 + 2.4 * r / (grid - 1)));
      }
    const Tensor probs = softmax(widest_classifier->forward(Tensor::from({grid * grid, 2}, plane)));
    for (int64_t k = 0; k < grid * grid; ++k) map.values.push_back(probs.data()[2 * k + 1]);
    for (int64_t k = 0; k < grid; ++k) {
      const double v = std::round((-1.2 + 2.4 * k / (grid - 1)) * 100) / 100;
      map.x.values.push_back(v);
      map.y.values.push_back(v);
    }
    map.x.title = "x1";
    map.y.title = "x2";
    regions.push_back(map);

    const double first = err.y.front(), last = err.y.back();
    headline[act + "_rmse_narrowest"] = first;
    headline[act + "_rmse_widest"] = last;
    headline[act + "_spirals_misclassified_widest"] = miss.y.back();
    measured << act << ": error " << first << " -> " << last << " from " << widths.front() << " to "
             << widths.back() << " units, spirals misclassified " << miss.y.back() << "; ";
    if (act == "square") {
      // Stuck at the quadratic floor: no width does better than the best parabola.
      const double best = *std::min_element(err.y.begin(), err.y.end());
      headline["square_rmse_best_over_floor"] = best / quadratic_floor;
      square_best_miss = *std::min_element(miss.y.begin(), miss.y.end());
      agrees = agrees && best > 0.95 * quadratic_floor;
    } else {
      agrees = agrees && last < 0.5 * quadratic_floor && last < first / 2;
      others_worst_miss = std::max(others_worst_miss, miss.y.back());
    }
  }
  headline["best_quadratic_rmse"] = quadratic_floor;
  // The spirals: no width gets square below a few percent; the others' widest get far below it.
  agrees = agrees && square_best_miss > 0.05 && others_worst_miss < square_best_miss / 2;
  plot::Series floor = line("best quadratic");
  floor.x = {static_cast<double>(widths.front()), static_cast<double>(widths.back())};
  floor.y = {quadratic_floor, quadratic_floor};
  floor.faint = true;
  error_chart.series.push_back(floor);

  context.add_text("One input",
                   "f(x) = sin 3x + cos(7x)/2 + 0.3x on [-2, 2], " + std::to_string(points) +
                       " points, fitted by full-batch Adam (" + std::to_string(steps) +
                       " steps). The faint line is the best quadratic: the square network's "
                       "floor, whatever its width.");
  context.add_figure(error_chart);
  context.add_figure(fits);
  context.add_text("Two spirals",
                   "Two interleaved spirals, " + std::to_string(spirals.size()) +
                       " points: the widest network's probability of the second spiral over the "
                       "plane. A square network's boundary is a conic.");
  context.add_figure(accuracy_chart);
  for (const plot::Heatmap& m : regions) context.add_figure(m);

  Outcome outcome;
  outcome.headline = headline;
  measured << "the best quadratic's error is " << quadratic_floor;
  outcome.measured = measured.str();
  outcome.agrees = agrees;
  return outcome;
}

}  // namespace

Experiment universal_approximation_experiment() {
  using K = Param::Kind;
  return {"universal-approximation",
          "one hidden layer fits anything as it widens, unless the activation is a polynomial",
          "a network with one hidden layer of n units approximates any continuous function on a "
          "compact set as n grows if and only if its activation is not a polynomial",
          {{"widths", K::Integers, "1,2,4,8,16,32,64,128,256", "2,8,32", "hidden units"},
           {"activations", K::Text, "tanh,relu,square", "tanh,square",
            "the activations compared (square must be among them)"},
           {"steps", K::Integer, "4000", "500", "full-batch Adam steps per fit"},
           {"lr", K::Number, "0.01", "0.03", "Adam's learning rate"},
           {"points", K::Integer, "256", "128",
            "points of the 1-D function (twice as many spiral "
            "points)"}},
          run};
}

}  // namespace descent::experiments
