// cliffs: on a steep wall between two flat regions one gradient step throws the parameters far
// away; clipping the gradient's norm keeps the path (Goodfellow et al. 2016, 8.2.4, and the
// notes' advice to bound the step when the curvature term dominates).
//
// The `cliff` test function is a gentle bowl around (2, 0) with a straight wall of height H and
// width w across the way there; on the wall the gradient is ~ H / w, so a step of alpha moves
// ~ alpha H / w, however small the step that led onto the wall. With clip_grad_norm to c
// (optim/clip_grad.h) no step is longer than alpha c: the path walks down the wall.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "descent/experiments/drawn_path.h"
#include "descent/experiments/experiment.h"
#include "descent/functions/optimizer_path.h"
#include "descent/plot/function_contour.h"

namespace descent::experiments {
namespace {

struct Jumps {
  double longest = 0, final_distance = 0;
  int64_t longest_at = 0;
};

Jumps measure(const OptimizerPath& path, double mx, double my) {
  Jumps j;
  for (size_t s = 1; s < path.x.size(); ++s) {
    const double d = std::hypot(path.x[s] - path.x[s - 1], path.y[s] - path.y[s - 1]);
    if (d > j.longest) j.longest = d, j.longest_at = static_cast<int64_t>(s);
  }
  j.final_distance = std::hypot(path.x.back() - mx, path.y.back() - my);
  return j;
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const double lr = p.number("lr"), clip = p.number("clip"), height = p.number("height"),
               width = p.number("width");
  const int64_t steps = p.integer("steps");
  if (!(lr > 0) || !(clip > 0) || !(height > 0) || !(width > 0) || steps < 1)
    throw std::invalid_argument("lr, clip, height, width must be > 0 and steps >= 1");

  const TestFunction fn =
      make_test_function("cliff:height=" + number_text(height) + ",width=" + number_text(width));
  const double mx = fn.known_points.front().x, my = fn.known_points.front().y;
  const std::string opt = "sgd:lr=" + number_text(lr);
  Generator rng(context.seed());  // no noise: the paths are deterministic
  PathOptions plain, clipped;
  plain.steps = clipped.steps = steps;
  clipped.clip_norm = clip;
  const OptimizerPath a = optimizer_path(fn, opt, fn.start_x, fn.start_y, plain, rng);
  const OptimizerPath b = optimizer_path(fn, opt, fn.start_x, fn.start_y, clipped, rng);
  const Jumps ja = measure(a, mx, my), jb = measure(b, mx, my);

  std::vector<std::vector<double>> rows;
  for (size_t s = 0; s < std::max(a.x.size(), b.x.size()); ++s) {
    const size_t sa = std::min(s, a.x.size() - 1), sb = std::min(s, b.x.size() - 1);
    rows.push_back({static_cast<double>(s), a.x[sa], a.y[sa], a.loss[sa], a.grad_norm[sa], b.x[sb],
                    b.y[sb], b.loss[sb], b.grad_norm[sb]});
  }
  context.write_csv("paths.csv",
                    {"step", "x", "y", "loss", "grad_norm", "clipped_x", "clipped_y",
                     "clipped_loss", "clipped_grad_norm"},
                    rows);

  // The window: the function's, widened to hold the thrown point.
  Domain window = fn.domain;
  for (const OptimizerPath* path : {&a, &b})
    for (size_t s = 0; s < path->x.size(); ++s) {
      window.x_min = std::min(window.x_min, path->x[s] - 0.5);
      window.x_max = std::max(window.x_max, path->x[s] + 0.5);
      window.y_min = std::min(window.y_min, path->y[s] - 0.5);
      window.y_max = std::max(window.y_max, path->y[s] + 0.5);
    }
  plot::ContourPlot contour = plot::function_contour(fn, window, 161, "cliff");
  contour.title = fn.name + ", " + opt;
  contour.paths.push_back(drawn_path("unclipped", a));
  contour.paths.push_back(drawn_path("clip_grad_norm " + number_text(clip), b));
  plot::LineChart steps_chart;
  steps_chart.id = "step_length";
  steps_chart.title = "length of each step";
  steps_chart.x_title = "step";
  steps_chart.y_title = "||w_t - w_{t-1}||";
  steps_chart.log_y = true;
  for (const auto& [name, path] : {std::pair<std::string, const OptimizerPath*>{"unclipped", &a},
                                   {"clip_grad_norm " + number_text(clip), &b}}) {
    plot::Series s{name, name, {}, {}};
    for (size_t t = 1; t < path->x.size(); ++t) {
      const double d = std::hypot(path->x[t] - path->x[t - 1], path->y[t] - path->y[t - 1]);
      if (d > 0) s.x.push_back(static_cast<double>(t)), s.y.push_back(d);
    }
    steps_chart.series.push_back(s);
  }
  context.add_text(
      "A cliff", fn.formula + " from (" + number_text(fn.start_x) + ", " + number_text(fn.start_y) +
                     "), " + std::to_string(steps) +
                     " steps of gradient descent, with and without clipping the gradient's "
                     "norm to " +
                     number_text(clip) + ".");
  context.add_figure(contour);
  context.add_figure(steps_chart);

  Outcome outcome;
  outcome.headline = {{"longest_step_unclipped", ja.longest},
                      {"longest_step_unclipped_at", ja.longest_at},
                      {"longest_step_clipped", jb.longest},
                      {"step_bound_clipped", lr * clip},
                      {"final_distance_unclipped", ja.final_distance},
                      {"final_distance_clipped", jb.final_distance},
                      {"final_loss_unclipped", a.loss.back()},
                      {"final_loss_clipped", b.loss.back()}};
  char text[400];
  std::snprintf(text, sizeof text,
                "the longest unclipped step is %.3g (step %lld), %.0f times the longest clipped "
                "one (%.3g <= lr clip = %g); after %lld steps the unclipped path is %.3g from the "
                "minimum, the clipped one %.3g",
                ja.longest, static_cast<long long>(ja.longest_at), ja.longest / jb.longest,
                jb.longest, lr * clip, static_cast<long long>(steps), ja.final_distance,
                jb.final_distance);
  outcome.measured = text;
  outcome.agrees = ja.longest > 10 * jb.longest && jb.longest <= lr * clip * (1 + 1e-5) &&
                   jb.final_distance < ja.final_distance;
  return outcome;
}

}  // namespace

Experiment cliffs_experiment() {
  using K = Param::Kind;
  return {"cliffs",
          "a steep wall throws an unclipped gradient step far; clipping keeps the path",
          "on a cliff the gradient is huge and a single step of alpha g throws the parameters "
          "far away; clipping the gradient's norm to c bounds every step by alpha c",
          {{"lr", K::Number, "0.1", "0.1", "the step alpha"},
           {"clip", K::Number, "1", "1", "clip_grad_norm's max_norm"},
           {"height", K::Number, "10", "10", "the cliff's height"},
           {"width", K::Number, "0.05", "0.05", "the cliff's width"},
           {"steps", K::Integer, "300", "150", "gradient steps"}},
          run};
}

}  // namespace descent::experiments
