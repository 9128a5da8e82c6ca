// deep-double-descent: the same peak as double-descent's random features, in networks trained by
// gradient descent (Nakkiran et al. 2019, "Deep double descent"; Belkin et al. 2019 for two-layer
// networks). One-hidden-layer ReLU networks of growing width h are each trained to (near)
// interpolation on n Fashion-MNIST images with a fraction of their labels made random
// (data.label_noise), each image averaged down to d = (28 / pool)^2 inputs; test error against
// parameters P = h (d + 1) + K (h + 1) rises towards the
// interpolation threshold P ~ n K (parameters about equal to examples times outputs), where the
// network just manages to fit the noisy labels, and falls again beyond it. The pooling matters:
// with all 784 pixels, 1000 images are almost linearly separable, so even narrow networks fit the
// noise and the peak is lost among widths too narrow to classify well (measured: test error only
// falls with width, 0.72 at h = 1 to 0.27 at h = 256); with 49 inputs the threshold moves to
// widths that classify well.
//
// Each width is a real run (a subdirectory, as `descent train` writes it) with the same seed, so
// the data, its noisy labels and the order of the minibatches are the same for every width.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "descent/experiments/experiment.h"
#include "descent/experiments/training_runs.h"

namespace descent::experiments {
namespace {

constexpr int64_t kSide = 28, kClasses = 10;  // Fashion-MNIST

int64_t parameters(int64_t inputs, int64_t width) {
  return width * (inputs + 1) + kClasses * (width + 1);
}

// Each image's pool x pool blocks averaged: (28 / pool)^2 inputs.
void average_pool(Dataset& set, int64_t pool) {
  if (pool == 1 || set.size() == 0) return;
  const int64_t side = kSide / pool, n = set.size();
  Tensor pooled = Tensor::zeros({n, side * side});
  const Tensor images = set.dense_inputs();
  const float* in = images.data();
  float* out = pooled.data();
  const float scale = 1.0f / static_cast<float>(pool * pool);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < kSide; ++r)
      for (int64_t c = 0; c < kSide; ++c)
        out[i * side * side + (r / pool) * side + c / pool] +=
            scale * in[i * kSide * kSide + r * kSide + c];
  set.set_inputs(pooled);
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const int64_t n = p.integer("train_size"), epochs = p.integer("epochs");
  std::vector<int64_t> widths = p.integers("widths");
  std::sort(widths.begin(), widths.end());
  if (n < 10 || epochs < 1 || widths.front() < 1)
    throw std::invalid_argument(
        "train_size must be at least 10, epochs and every width at least 1");
  const int64_t pool = p.integer("pool");
  if (pool < 1 || kSide % pool != 0)
    throw std::invalid_argument(
        "pool = " + std::to_string(pool) +
        " does not divide the images' 28 pixels; expected 1, 2, 4, 7, 14 or 28");
  const int64_t inputs = (kSide / pool) * (kSide / pool);
  const DataEdit pooling = [pool](ExperimentData& data) {
    for (Dataset* set : {&data.train, &data.validation, &data.test}) average_pool(*set, pool);
  };

  std::vector<std::vector<double>> rows;
  std::vector<plot::Series> errors = lines({"test error", "training error"});
  std::vector<plot::Series> losses = lines({"test loss"});
  for (int64_t h : widths) {
    context.progress("width " + std::to_string(h));
    const RunOutcome r = train_quietly(
        context.dir() / ("width-" + std::to_string(h)),
        {"seed=" + std::to_string(context.seed()), "data.train_size=" + std::to_string(n),
         "data.validation_size=0", "data.label_noise=" + std::to_string(p.number("label_noise")),
         "model.layers=[\"linear:out=" + std::to_string(h) + "\", \"relu\", \"linear\"]",
         "train.epochs=" + std::to_string(epochs),
         "train.batch_size=" + std::to_string(p.integer("batch_size")), "optimizer.name=adam",
         "optimizer.lr=" + std::to_string(p.number("lr")), "checkpoint.every=0",
         "train.divergence=off"},
        pooling);
    const double train_error = 1 - r.train.history.back().train_accuracy;
    const double test_error = 1 - r.test.accuracy;
    const auto params = static_cast<double>(parameters(inputs, h));
    rows.push_back({static_cast<double>(h), params, train_error, test_error,
                    r.train.history.back().train_loss, r.test.loss});
    errors[0].x.push_back(params);
    errors[0].y.push_back(test_error);
    errors[1].x.push_back(params);
    errors[1].y.push_back(train_error);
    losses[0].x.push_back(params);
    losses[0].y.push_back(r.test.loss);
    context.progress("width " + std::to_string(h) + ": training error " + number_text(train_error) +
                     ", test error " + number_text(test_error));
  }
  context.write_csv("widths.csv",
                    {"width", "parameters", "train_error", "test_error", "train_loss", "test_loss"},
                    rows);

  const std::vector<double>& test = errors[0].y;
  const double threshold = static_cast<double>(n * kClasses);
  // Where training first (nearly) fits every noisy label: the threshold this training reaches
  // (Nakkiran et al.'s "effective model complexity"), which the peak should sit at.
  size_t fits = widths.size();
  for (size_t k = 0; k < widths.size() && fits == widths.size(); ++k)
    if (errors[1].y[k] <= 0.01) fits = k;
  // The first descent's best among the networks that cannot fit the noise (the narrowest ones
  // underfit even the clean labels), and the peak: the worst test error after it.
  const size_t first =
      std::min_element(test.begin(), test.begin() + std::max<size_t>(fits, 1)) - test.begin();
  const size_t peak = std::max_element(test.begin() + first, test.end()) - test.begin();
  const double before = test[first], peak_params = errors[0].x[peak];
  const double interpolation = fits < widths.size() ? errors[1].x[fits] : NAN;
  const bool agrees = peak > first && peak + 1 < test.size() && test[peak] > before + 0.01 &&
                      test.back() < test[peak] - 0.01 && peak_params >= threshold / 4 &&
                      peak_params <= threshold * 4;

  plot::LineChart chart;
  chart.id = "error";
  chart.title = "one-hidden-layer networks: error against parameters";
  chart.x_title = "parameters P (log)";
  chart.y_title = "misclassified fraction";
  chart.log_x = true;
  chart.series = errors;
  chart.rules.push_back({threshold, "P = n K"});
  if (!std::isnan(interpolation)) chart.rules.push_back({interpolation, "training error <= 1%"});
  plot::LineChart loss_chart = chart;
  loss_chart.id = "loss";
  loss_chart.title = "test cross-entropy against parameters";
  loss_chart.y_title = "test loss";
  loss_chart.log_y = true;
  loss_chart.series = losses;
  std::ostringstream setup;
  setup << n << " Fashion-MNIST training images (" << inputs << " inputs: " << pool << " x " << pool
        << " blocks of pixels averaged), " << p.number("label_noise") * 100
        << "% of their labels drawn at random, the 10,000 test images; Adam at lr "
        << p.number("lr") << ", batch " << p.integer("batch_size") << ", " << epochs
        << " epochs for every width.";
  context.add_text("Deep double descent", setup.str());
  context.add_figure(chart);
  context.add_figure(loss_chart);

  Outcome outcome;
  outcome.headline = {
      {"threshold_parameters", threshold},
      {"peak_parameters", peak_params},
      {"interpolation_parameters",
       std::isnan(interpolation) ? nlohmann::json() : nlohmann::json(interpolation)},
      {"peak_width", widths[peak]},
      {"peak_test_error", test[peak]},
      {"best_test_error_before_peak", before},
      {"widest_test_error", test.back()},
      {"widest_training_error", errors[1].y.back()}};
  outcome.measured = "test error " + number_text(before) + " at best before the peak, " +
                     number_text(test[peak]) + " at P = " + number_text(peak_params) + " (width " +
                     std::to_string(widths[peak]) + "; n K = " + number_text(threshold) + "), " +
                     number_text(test.back()) +
                     " at the widest (P = " + number_text(errors[0].x.back()) +
                     ", training error " + number_text(errors[1].y.back()) + ")";
  outcome.agrees = agrees;
  return outcome;
}

}  // namespace

Experiment deep_double_descent_experiment() {
  using K = Param::Kind;
  return {"deep-double-descent",
          "test error of trained one-hidden-layer networks against width, with label noise",
          "networks trained to interpolation show double descent too: test error against "
          "parameters peaks near P = n K (examples times outputs) and falls again beyond it",
          {{"train_size", K::Integer, "1000", "200", "training images (n)"},
           {"label_noise", K::Number, "0.2", "0.2", "fraction of training labels made random"},
           {"pool", K::Integer, "4", "4",
            "average each pool x pool block of pixels: fewer inputs move the threshold to wider "
            "networks"},
           {"widths", K::Integers, "8,16,32,48,64,96,128,192,256,384,512,1024,2048,4096",
            "4,8,16,32,64,128,256,1024", "hidden widths h"},
           {"epochs", K::Integer, "1000", "600", "epochs for every width"},
           {"batch_size", K::Integer, "50", "50", "minibatch size"},
           {"lr", K::Number, "0.003", "0.003", "Adam's learning rate"},
           {"loss", K::Text, "cross_entropy", "cross_entropy",
            "train.loss: cross_entropy, or mse on one-hot targets"}},
          run};
}

}  // namespace descent::experiments
