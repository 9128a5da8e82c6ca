// optimizer-paths: the notes' optimizers on four landscapes: a ravine, a saddle, a function with
// several local minima, and Rosenbrock's banana valley.
//
// The notes' optimizers: SGD; SGD with momentum in both of the notes' forms, v <- rho v + g,
// x <- x - alpha v ("form 2", PyTorch's) and v <- rho v - alpha g, x <- x + v ("form 1", the
// classical velocity form; the same path while alpha is constant, since then v_1 = -alpha v_2);
// Nesterov; AdaGrad; AdaDelta; RMSProp; Adam. The claims: momentum crosses the ravine's floor
// faster than SGD and can roll over a small bump into another minimum; adaptive methods rescale
// each coordinate, so they leave a saddle (where the gradient is tiny along the escape direction)
// far sooner than SGD, whose escape takes log(|y_escape| / |y_0|) / log(1 + 2 alpha) steps on
// x^2 - y^2.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "descent/experiments/drawn_path.h"
#include "descent/experiments/experiment.h"
#include "descent/functions/optimizer_path.h"
#include "descent/plot/function_contour.h"
#include "descent/plot/palette.h"

namespace descent::experiments {
namespace {

struct OptimizerEntry {
  std::string label;  // legend
  std::string spec;   // SPEC without lr
};

// The eight optimizers, in the notes' order.
const std::vector<OptimizerEntry>& optimizers() {
  static const std::vector<OptimizerEntry> list = {
      {"sgd", "sgd"},
      {"momentum (v = rho v + g)", "sgd:momentum=0.9,form=pytorch"},
      {"momentum (v = rho v - lr g)", "sgd:momentum=0.9,form=velocity"},
      {"nesterov", "sgd:momentum=0.9,nesterov=true"},
      {"adagrad", "adagrad"},
      {"adadelta", "adadelta"},
      {"rmsprop", "rmsprop"},
      {"adam", "adam"},
  };
  return list;
}

struct Landscape {
  std::string role, function;
  double x0, y0;
  std::vector<double> lrs;  // one per optimizer, tuned so each behaves typically
};

// Learning rates: the largest round values at which SGD and momentum are stable on each
// function; the adaptive methods at their usual scale for a unit-sized problem (AdaDelta at its
// default 1, which it is meant to need no tuning of).
const std::vector<Landscape>& landscapes() {
  static const std::vector<Landscape> list = {
      {"ravine", "quadratic:kappa=50", 1.5, 1, {0.035, 0.01, 0.01, 0.01, 0.5, 1, 0.02, 0.05}},
      {"saddle", "saddle", 1, 1e-3, {0.05, 0.01, 0.01, 0.01, 0.1, 1, 0.01, 0.01}},
      {"local minima", "styblinski_tang", 0.5, 4.5, {0.01, 0.005, 0.005, 0.005, 0.5, 1, 0.05, 0.1}},
      {"rosenbrock", "rosenbrock", -1.5, 2, {0.001, 2e-4, 2e-4, 2e-4, 0.5, 1, 0.005, 0.02}},
  };
  return list;
}

std::string with_lr(const std::string& spec, double lr) {
  char s[32];
  std::snprintf(s, sizeof s, "lr=%g", lr);
  return spec + (spec.find(':') == std::string::npos ? ":" : ",") + s;
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const std::vector<int64_t> steps = p.integers("steps");
  const double escape_loss = p.number("escape_loss");
  if (steps.size() != landscapes().size())
    throw std::invalid_argument(
        "steps: expected 4 step counts (ravine, saddle, local minima, "
        "rosenbrock)");
  for (int64_t s : steps)
    if (s < 1) throw std::invalid_argument("steps: every count must be at least 1");
  if (!(escape_loss < 0)) throw std::invalid_argument("escape_loss: expected a number < 0");

  Generator rng(context.seed());  // no noise is drawn: the paths are deterministic
  std::vector<std::vector<double>> rows, final_rows;
  nlohmann::json finals = nlohmann::json::object(), escapes = nlohmann::json::object();
  std::vector<std::string> keys;
  for (const OptimizerEntry& o : optimizers()) keys.push_back(o.label);
  const std::vector<std::string> colors = plot::distinct_color_keys(keys);
  double forms_gap = 0;
  int64_t sgd_escape = -1, fastest_adaptive_escape = -1;
  for (size_t f = 0; f < landscapes().size(); ++f) {
    const Landscape& land = landscapes()[f];
    const TestFunction fn = make_test_function(land.function);
    plot::ContourPlot contour =
        plot::function_contour(fn, fn.domain, 151, "paths" + std::to_string(f));
    contour.title = land.role + ": " + fn.name + " from (" + std::to_string(land.x0).substr(0, 4) +
                    ", " + std::to_string(land.y0).substr(0, 5) + ")";
    PathOptions options;
    options.steps = steps[f];
    // A path down the saddle's open side leaves the window: stop it there.
    options.stop_distance =
        std::hypot(fn.domain.x_max - fn.domain.x_min, fn.domain.y_max - fn.domain.y_min);
    std::vector<OptimizerPath> paths;
    for (size_t k = 0; k < optimizers().size(); ++k) {
      const std::string spec = with_lr(optimizers()[k].spec, land.lrs[k]);
      OptimizerPath path = optimizer_path(fn, spec, land.x0, land.y0, options, rng);
      for (size_t s = 0; s < path.x.size(); ++s)
        rows.push_back({static_cast<double>(f), static_cast<double>(k), static_cast<double>(s),
                        path.x[s], path.y[s], path.loss[s]});
      final_rows.push_back({static_cast<double>(f), static_cast<double>(k), land.lrs[k],
                            path.loss.back(), static_cast<double>(path.x.size() - 1)});
      finals[land.role][optimizers()[k].label] = path.loss.back();
      if (land.role == "saddle") {
        int64_t escape = -1;
        for (size_t s = 0; s < path.loss.size() && escape < 0; ++s)
          if (path.loss[s] < escape_loss) escape = static_cast<int64_t>(s);
        escapes[optimizers()[k].label] =
            escape < 0 ? nlohmann::json(nullptr) : nlohmann::json(escape);
        if (k == 0) sgd_escape = escape;
        if (k >= 4 && escape >= 0 &&
            (fastest_adaptive_escape < 0 || escape < fastest_adaptive_escape))
          fastest_adaptive_escape = escape;
      }
      plot::Path drawn = drawn_path(optimizers()[k].label, path);
      drawn.color_key = colors[k];
      contour.paths.push_back(drawn);
      paths.push_back(std::move(path));
    }
    // The two momentum forms, point by point.
    const OptimizerPath &a = paths[1], &b = paths[2];
    for (size_t s = 0; s < std::min(a.x.size(), b.x.size()); ++s)
      forms_gap = std::max(forms_gap, std::hypot(a.x[s] - b.x[s], a.y[s] - b.y[s]));
    context.add_figure(contour);
  }
  context.write_csv("paths.csv", {"landscape", "optimizer", "step", "x", "y", "loss"}, rows);
  context.write_csv("final.csv", {"landscape", "optimizer", "lr", "final_loss", "steps"},
                    final_rows);
  std::string legend = "Landscapes (the landscape column of the CSV files): ";
  for (size_t f = 0; f < landscapes().size(); ++f)
    legend += std::to_string(f) + " " + landscapes()[f].role + " (" + landscapes()[f].function +
              ")" + (f + 1 < landscapes().size() ? ", " : ". Optimizers: ");
  for (size_t k = 0; k < optimizers().size(); ++k)
    legend +=
        std::to_string(k) + " " + optimizers()[k].spec + (k + 1 < optimizers().size() ? ", " : ".");
  context.add_text("Paths", legend +
                                " Learning rates per landscape are in final.csv. The two momentum "
                                "forms draw one path at a constant learning rate.");

  Outcome outcome;
  outcome.headline = {{"final_loss", finals},
                      {"saddle_escape_step", escapes},
                      {"escape_loss", escape_loss},
                      {"momentum_forms_max_gap", forms_gap}};
  const bool agrees = forms_gap < 1e-4 && sgd_escape > 0 && fastest_adaptive_escape > 0 &&
                      fastest_adaptive_escape < sgd_escape;
  char text[300];
  std::snprintf(text, sizeof text,
                "on the saddle SGD reaches loss %g after %lld steps, the fastest adaptive method "
                "after %lld; the two momentum forms' paths differ by at most %.2g",
                escape_loss, static_cast<long long>(sgd_escape),
                static_cast<long long>(fastest_adaptive_escape), forms_gap);
  outcome.measured = text;
  outcome.agrees = agrees;
  return outcome;
}

}  // namespace

Experiment optimizer_paths_experiment() {
  using K = Param::Kind;
  return {"optimizer-paths",
          "SGD, momentum (both forms), Nesterov, AdaGrad, AdaDelta, RMSProp, Adam on four "
          "landscapes",
          "momentum speeds descent along a ravine and can roll past local minima; adaptive "
          "methods (AdaGrad, RMSProp, Adam) rescale each coordinate and leave a saddle far "
          "sooner than SGD; the notes' two momentum forms (v = rho v + g, x -= alpha v and "
          "v = rho v - alpha g, x += v) are one method at a constant alpha",
          {{"steps", K::Integers, "200,300,300,2000", "100,150,100,300",
            "steps on the ravine, saddle, local-minima and rosenbrock landscapes"},
           {"escape_loss", K::Number, "-1", "-1", "the saddle counts as left below this loss"}},
          run};
}

}  // namespace descent::experiments
