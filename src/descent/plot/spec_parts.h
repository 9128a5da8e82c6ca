#pragma once
// Pieces the Vega spec builders share (line_chart_spec.cpp, contour_spec.cpp, ...): the checks'
// error messages, string literals inside Vega expressions, value extents and the frame every
// spec starts from. Internal to plot/.
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "descent/plot/figure.h"

namespace descent::plot {

// Throws std::invalid_argument: "figure 'ID': FIELD: PROBLEM".
[[noreturn]] void invalid_figure(const std::string& id, const std::string& field,
                                 const std::string& problem);

// Figure ids name Vega signals (`<id>_log_y`) and page elements (`figure-<id>`): they must be
// identifiers, [A-Za-z_][A-Za-z0-9_]*.
void check_figure_id(const std::string& id);

// `text` as a string literal inside a Vega expression (JSON quoting is valid there).
std::string quoted(const std::string& text);

// The names of x and y in a hover readout: the axis titles, "x" and "y" when untitled, made
// distinct (a readout is an object keyed by them).
std::pair<std::string, std::string> readout_names(const std::string& x_title,
                                                  const std::string& y_title);

// The smallest interval holding every finite value added.
struct Extent {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
  // [lo, hi] as a JSON array, widened when it is a single value (a scale needs a width) and
  // `fallback` when nothing was added.
  nlohmann::json domain(double fallback_lo = 0, double fallback_hi = 1) const;
};

// The frame of a spec: schema, size of the plot area, white background, title.
nlohmann::json spec_frame(const std::string& title, int width, int height);

// The Vega spec builders and the checks behind them.
void check_line_chart(const LineChart& chart);
void check_contour_plot(const ContourPlot& plot);
nlohmann::json line_chart_spec(const LineChart& chart, const SpecOptions& options);
nlohmann::json contour_plot_spec(const ContourPlot& plot, const SpecOptions& options);
void check_heatmap(const Heatmap& map);
void check_image_grid(const ImageGrid& grid);
void check_scatter(const Scatter& scatter);
nlohmann::json heatmap_spec(const Heatmap& map, const SpecOptions& options);
nlohmann::json image_grid_spec(const ImageGrid& grid, const SpecOptions& options);
nlohmann::json scatter_spec(const Scatter& scatter, const SpecOptions& options);

}  // namespace descent::plot
