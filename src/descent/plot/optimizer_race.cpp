#include "descent/plot/optimizer_race.h"

#include "descent/plot/export.h"
#include "descent/plot/figure.h"
#include "descent/plot/function_contour.h"
#include "descent/plot/numbers.h"
#include "descent/plot/palette.h"
#include "descent/util/spec.h"

namespace descent::plot {
namespace {

// Floats as the short decimals they are (numbers.h).
std::vector<double> decimals(const std::vector<float>& v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (float f : v) out.push_back(float_decimal(f));
  return out;
}

// The colour key of each path: its optimizer's name (the same colour in every figure), unless an
// earlier path took that colour (two sgd runs): then a free one (palette.h).
std::vector<std::string> color_keys(const std::vector<RacePath>& paths) {
  std::vector<std::string> names;
  for (const RacePath& p : paths) names.push_back(parse_spec(p.spec).name);
  return distinct_color_keys(names);
}

// Labels must tell paths apart: a SPEC given twice gets " (2)", " (3)", ...
std::vector<std::string> labels(const std::vector<RacePath>& paths) {
  std::vector<std::string> out;
  for (size_t k = 0; k < paths.size(); ++k) {
    int64_t before = 0;
    for (size_t j = 0; j < k; ++j) before += paths[j].spec == paths[k].spec;
    out.push_back(before ? paths[k].spec + " (" + std::to_string(before + 1) + ")" : paths[k].spec);
  }
  return out;
}

}  // namespace

void write_optimizer_race(const TestFunction& fn, const std::vector<RacePath>& paths, double x0,
                          double y0, int64_t grid, const std::filesystem::path& file,
                          const nlohmann::json& provenance, const std::string& title) {
  // The function's usual window, widened (with a margin) to hold a start outside it.
  Domain window = fn.domain;
  const double mx = 0.05 * (window.x_max - window.x_min), my = 0.05 * (window.y_max - window.y_min);
  if (x0 < window.x_min) window.x_min = x0 - mx;
  if (x0 > window.x_max) window.x_max = x0 + mx;
  if (y0 < window.y_min) window.y_min = y0 - my;
  if (y0 > window.y_max) window.y_max = y0 + my;
  ContourPlot contour = function_contour(fn, window, grid);
  // Loss and gradient norm: one line per path against step, log scale, sized to sit beside the
  // contour plot on a page.
  auto chart = [](const std::string& id, const std::string& title) {
    LineChart c;
    c.id = id;
    c.title = c.y_title = title;
    c.x_title = "step";
    c.log_y = true;
    c.legend = false;  // the contour plot's legend names the same colours
    c.width = 420;
    c.height = 190;
    return c;
  };
  LineChart loss = chart("loss", "loss"), grad = chart("grad_norm", "gradient norm");
  // A function that goes negative (saddles, Styblinski-Tang) has no log scale for its loss.
  for (const RacePath& p : paths)
    for (float v : p.loss)
      if (v < 0) loss.log_y = false;
  const std::vector<std::string> keys = color_keys(paths), names = labels(paths);
  for (size_t k = 0; k < paths.size(); ++k) {
    const RacePath& run = paths[k];
    std::vector<double> step(run.x.size());
    for (size_t s = 0; s < step.size(); ++s) step[s] = static_cast<double>(s);
    const std::vector<double> losses = decimals(run.loss);
    Path path;
    path.name = names[k];
    path.color_key = keys[k];
    path.x = decimals(run.x);
    path.y = decimals(run.y);
    path.loss = losses;
    path.lr = run.lr;
    contour.paths.push_back(std::move(path));
    Series series;
    series.name = names[k];
    series.color_key = keys[k];
    series.x = step;
    series.y = losses;
    loss.series.push_back(series);
    series.y = run.grad_norm;
    grad.series.push_back(std::move(series));
  }
  nlohmann::json with_window = provenance;
  if (with_window.contains("config") && with_window["config"].is_object())
    with_window["config"]["window"] = {window.x_min, window.x_max, window.y_min, window.y_max};
  write_figures({contour, loss, grad}, file, with_window, title);
}

}  // namespace descent::plot
