#pragma once
// The figures descent draws, as plain data: a small vocabulary that every command (optimize,
// schedule, report, the experiments) fills in and that vega_spec() turns into a Vega
// specification with the numbers inline (never resampled). Pages (page.h) put figures into one
// self-contained HTML file; export.h writes one figure as HTML, SVG or PNG.
#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace descent::plot {

// One line of a line chart, optionally with a band (lo..hi, e.g. min/max over seeds).
struct Series {
  std::string name;       // legend and tooltip label, e.g. "adam" or "adam (seed 1)"
  std::string color_key;  // series with one key share a colour in every figure (palette.h)
  std::vector<double> x, y;
  // The optional parts start empty, so {name, key, x, y} makes a plain line.
  std::vector<double> x_alt = {};        // the same points on the alternative x axis (wall time)
  std::vector<double> lo = {}, hi = {};  // a band, as long as x
  bool faint = false;   // thin and transparent: per-seed lines, raw values under smoothing
  bool smooth = false;  // the page's smoothing control redraws it as a debiased moving average
};

// A vertical line at x (e.g. the best epoch) and a shaded span x0..x1 (e.g. early stopping's
// patience window), each labelled.
struct Rule {
  double x = 0;
  std::string label;
};
struct Span {
  double x0 = 0, x1 = 0;
  std::string label;
};

struct LineChart {
  std::string id;  // unique on a page; names the chart's Vega signals
  std::string title;
  std::string x_title, y_title;
  std::string x_alt_title;  // the alternative x axis's title (empty: none)
  bool log_x = false;
  bool log_y = false;  // the initial y scale; the page can switch it
  std::vector<Series> series;
  std::vector<Rule> rules;
  std::vector<Span> spans;
  int width = 480, height = 260;  // the plot area in pixels (axes, legend and title outside)
  bool legend = true;  // a legend of the series (when there are two or more to tell apart)
};

// An optimizer's path over a 2-D function, one entry per step (step 0 = the start point).
struct Path {
  std::string name;  // legend and tooltip label
  std::vector<double> x, y, loss, lr;
  std::string color_key;  // palette.h; empty: the name
};

struct KnownPoint {
  double x = 0, y = 0;
  std::string label;  // "global minimum", "saddle", ...
};

// Contour lines of z over a regular grid (column i at x_min + i (x_max - x_min) / (nx - 1), row j
// likewise in y), with paths drawn over it. The HTML form has a step slider and a play button that
// move every path together, and hover readouts (step, x, y, loss, lr).
struct ContourPlot {
  std::string id;
  std::string title;
  std::string x_title, y_title;  // the axes' titles; empty: "x" and "y"
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  int64_t nx = 0, ny = 0;
  std::vector<double> z;    // ny rows of nx values, row 0 at y_min, column 0 at x_min
  bool log_levels = false;  // log-spaced contour levels (for functions with a large range)
  int levels = 20;
  std::vector<Path> paths;
  std::vector<KnownPoint> points;  // known minima and saddles, marked
  int width = 440;                 // pixels; the height follows the domain's aspect ratio
};

// One side of a heatmap: the cells' labels, either numbers (e.g. learning rates 1e-4 .. 1, or the
// centres of a loss landscape's grid) or names (e.g. optimizers). Exactly one of the two is given;
// its length is the number of cells along this side. Cells are equal in size and in this order
// whatever the numbers (a log-spaced sweep gets equal columns); the numbers label the ticks and the
// hover readout.
struct HeatmapAxis {
  std::string title;
  std::vector<double> values;
  std::vector<std::string> categories;
};

// A grid of values coloured by a continuous scale, with a colour legend and a hover readout of
// (x, y, value): e.g. the final loss over learning rate x batch size, or a loss landscape.
// Non-finite values (a diverged run) are missing: drawn grey and hatched, named in the legend
// and the readout.
struct Heatmap {
  std::string id;
  std::string title;
  HeatmapAxis x, y;
  std::vector<double> values;  // y-size rows of x-size values; row 0 at the bottom, column 0 left
  std::string value_title;     // the legend's and the readout's name for a value, e.g. "loss"
  bool log_color = false;      // colour by log10(value); the finite values must then be > 0
  // Diverging colours (blue below, orange above, pale at the centre) around this value, the
  // domain symmetric about it (geometrically when log_color); NaN: sequential (viridis).
  double center = std::numeric_limits<double>::quiet_NaN();
  bool cell_text = false;                 // each cell's value written in it
  std::string missing_label = "missing";  // what a non-finite value is called, e.g. "diverged"
  int width = 360;                        // the grid in pixels
  int height = 0;                         // 0: square cells
};

// One small picture: width x height pixels with `channels` samples each (1: grey, 3: RGB), row
// by row from the top, channels interleaved. The samples are either floats in [0, 1] (`values`;
// finite values outside are drawn clamped and kept as given in the figure's data) or bytes
// 0..255 (`bytes`); exactly one of the two is given.
struct Image {
  int64_t width = 0, height = 0;
  int channels = 1;
  std::vector<float> values;
  std::vector<uint8_t> bytes;
  std::string caption;  // optional, under the image (e.g. its class)
};

// Images in rows of `columns`, each image pixel drawn as a scale x scale block, without smoothing
// (PNG data URLs in Vega image marks): test images above their reconstructions, samples from a
// generative model. All images have one size; the last row may be short.
struct ImageGrid {
  std::string id;
  std::string title;
  std::vector<Image> images;  // row-major
  int64_t columns = 8;
  std::vector<std::string> row_titles;  // optional, one per row: "input", "noisy", ...
  int scale = 3;                        // screen pixels per image pixel
};

// Points (x, y), each in a category drawn in its own colour (and, past the palette's eight, its
// own shape), with a legend and a hover readout (x, y, category, label). Fast enough for tens of
// thousands of points (docs/figures.md measures 10,000).
struct Scatter {
  std::string id;
  std::string title;
  std::string x_title, y_title;
  std::vector<double> x, y;
  std::vector<int> category;                // per point, an index into category_names; empty:
  std::vector<std::string> category_names;  // one unnamed category
  std::vector<std::string> labels;          // optional, per point, shown on hover
  double point_size = 0;                    // marker area in px^2; 0: by the number of points
  int width = 420, height = 420;
};

using Figure = std::variant<LineChart, ContourPlot, Heatmap, ImageGrid, Scatter>;

// How a spec starts out. Pages pass their smoothing; static images leave out the hover targets.
struct SpecOptions {
  double smoothing = 0.6;   // the `smoothing` signal's start, 0 (raw) .. 0.99
  bool interactive = true;  // invisible hover targets under every point, for the tooltips
  // Image grids: 0 embeds each picture at its own size and lets the renderer enlarge it without
  // smoothing (browsers do); k > 0 embeds it already enlarged to k image pixels per screen pixel,
  // for renderers that smooth whatever they enlarge (rsvg-convert ignores `image-rendering`).
  int image_pixel_ratio = 0;
};

// A complete Vega specification (schema v6), data inline. Throws std::invalid_argument naming
// the figure and the field when the data is inconsistent (lengths differ, empty grid, ...).
nlohmann::json vega_spec(const Figure& figure);
nlohmann::json vega_spec(const Figure& figure, const SpecOptions& options);

// Several figures stacked top to bottom in one Vega specification (one static image); each keeps
// its own signals, scales and guides in its own group.
nlohmann::json vega_spec_column(const std::vector<Figure>& figures, const SpecOptions& options);

// The figure's numbers as plain JSON (series, bands, grid, paths; no styling), written beside
// static images so the data can be read back. Checks the figure as vega_spec does.
nlohmann::json figure_data(const Figure& figure);

const std::string& figure_id(const Figure& figure);

}  // namespace descent::plot
