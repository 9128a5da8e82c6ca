// A Heatmap as a Vega spec: one rect per cell on two band scales (cells equal in size, in the
// given order), filled by a continuous colour scale with a gradient legend. Missing cells
// (non-finite values, null in the data) are light grey with a diagonal hatch, and get their own
// legend entry. Rows carry the column i, the row j and the value v.
#include <algorithm>
#include <cmath>
#include <string>

#include "descent/plot/numbers.h"
#include "descent/plot/spec_parts.h"

namespace descent::plot {
namespace {

using nlohmann::json;

constexpr const char* kMissingFill = "#e4e4e4";
constexpr const char* kHatchStroke = "#9a9a9a";
constexpr double kHatchSpacing = 5;  // pixels between the hatch's diagonals

int64_t cells(const HeatmapAxis& a) {
  return static_cast<int64_t>(a.values.empty() ? a.categories.size() : a.values.size());
}

void check_axis(const std::string& id, const HeatmapAxis& a, const std::string& name) {
  if (!a.values.empty() && !a.categories.empty())
    invalid_figure(id, name + ".values, " + name + ".categories",
                   "both given (expected exactly one: the cells' numbers or their names)");
  if (a.values.empty() && a.categories.empty())
    invalid_figure(id, name + ".values, " + name + ".categories",
                   "neither given (expected the cells' numbers or their names)");
  for (size_t k = 0; k < a.values.size(); ++k)
    if (!std::isfinite(a.values[k]))
      invalid_figure(id, name + ".values[" + std::to_string(k) + "]", "not a finite number");
}

int plot_height(const Heatmap& m) {
  if (m.height > 0) return m.height;
  return std::max(1, static_cast<int>(std::lround(m.width * static_cast<double>(cells(m.y)) /
                                                  static_cast<double>(cells(m.x)))));
}

// Diagonals x + y = k, k every kHatchSpacing pixels, cut to a w x h cell (y down), as SVG path
// data relative to the cell's top left corner.
std::string hatch_path(double w, double h) {
  std::string d;
  char buf[96];
  for (double k = kHatchSpacing; k < w + h; k += kHatchSpacing) {
    std::snprintf(buf, sizeof buf, "M%.2f,%.2fL%.2f,%.2f", std::max(0.0, k - h), std::min(k, h),
                  std::min(k, w), std::max(0.0, k - w));
    d += buf;
  }
  return d;
}

// The colour scale's domain: the finite values' extent, or for diverging colours the smallest
// interval symmetric about the centre that holds them (in log space for log colours).
json color_domain(const Heatmap& m, const Extent& e) {
  const double c = m.center;
  if (std::isnan(c)) {
    if (m.log_color && e.empty()) return {1, 10};
    return e.domain();
  }
  if (m.log_color) {
    double r = e.empty() ? 1 : std::max(e.hi / c, c / e.lo);
    if (!(r > 1)) r = 10;
    return {c / r, c * r};
  }
  double half = e.empty() ? 0 : std::max(std::abs(e.hi - c), std::abs(e.lo - c));
  if (!(half > 0)) half = c == 0 ? 1 : std::abs(c) * 0.1;
  return {c - half, c + half};
}

// Tick positions along one side: every cell with names; with numbers, at most one label per
// `room` pixels.
json tick_values(const HeatmapAxis& a, double length, double room) {
  const int64_t n = cells(a);
  int64_t every = 1;
  if (!a.values.empty())
    every = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(n / std::max(1.0, length / room))));
  json out = json::array();
  for (int64_t k = 0; k < n; k += every) out.push_back(k);
  return out;
}

json axis_labels(const HeatmapAxis& a) {
  json out = json::array();
  if (a.values.empty())
    for (const std::string& name : a.categories) out.push_back(name);
  else
    for (double v : a.values) out.push_back(v);
  return out;
}

// A cell's label on one side, as a Vega expression of its index.
std::string label_of(const HeatmapAxis& a, const std::string& scale, const std::string& index,
                     const char* number_format) {
  const std::string value = "scale('" + scale + "', " + index + ")";
  return a.values.empty() ? value : "format(" + value + ", '" + number_format + "')";
}

}  // namespace

void check_heatmap(const Heatmap& m) {
  check_figure_id(m.id);
  check_axis(m.id, m.x, "x");
  check_axis(m.id, m.y, "y");
  const int64_t nx = cells(m.x), ny = cells(m.y);
  if (static_cast<int64_t>(m.values.size()) != nx * ny)
    invalid_figure(m.id, "values",
                   std::to_string(m.values.size()) + " values, expected " + std::to_string(nx) +
                       " x " + std::to_string(ny) + " = " + std::to_string(nx * ny) +
                       " (x cells times y cells)");
  if (m.log_color)
    for (size_t k = 0; k < m.values.size(); ++k)
      if (std::isfinite(m.values[k]) && m.values[k] <= 0)
        invalid_figure(m.id, "values[" + std::to_string(k) + "]",
                       std::to_string(m.values[k]) + " (row " + std::to_string(k / nx) +
                           ", column " + std::to_string(k % nx) +
                           "): log_color needs values > 0 (non-finite values are drawn as "
                           "missing)");
  if (!std::isnan(m.center) && (!std::isfinite(m.center) || (m.log_color && m.center <= 0)))
    invalid_figure(m.id, "center",
                   std::to_string(m.center) +
                       (m.log_color ? " (expected a number > 0 with log_color, or NaN: sequential)"
                                    : " (expected a finite number, or NaN: sequential)"));
  if (m.width <= 0) invalid_figure(m.id, "width", std::to_string(m.width) + " (expected > 0)");
  if (m.height < 0)
    invalid_figure(m.id, "height",
                   std::to_string(m.height) + " (expected > 0, or 0: square cells)");
}

json heatmap_spec(const Heatmap& m, const SpecOptions& options) {
  check_heatmap(m);
  const int W = m.width, H = plot_height(m);
  const int64_t nx = cells(m.x), ny = cells(m.y);
  const std::string X = m.id + "_x", Y = m.id + "_y", C = m.id + "_color";
  const auto [x_title, y_title] = readout_names(m.x.title, m.y.title);
  const std::string value_title = m.value_title.empty() ? "value" : m.value_title;

  json rows = json::array();
  rows.get_ref<json::array_t&>().reserve(m.values.size());
  Extent extent;
  int64_t missing = 0;
  for (int64_t j = 0; j < ny; ++j)
    for (int64_t i = 0; i < nx; ++i) {
      const double v = m.values[j * nx + i];
      extent.add(v);
      missing += std::isfinite(v) ? 0 : 1;
      rows.push_back({{"i", i}, {"j", j}, {"v", json_number(v)}});
    }

  json spec = spec_frame(m.title, W, H);
  spec["description"] = m.title.empty() ? m.id : m.title;
  spec["usermeta"] = {{"descent", {{"kind", "heatmap"}, {"id", m.id}, {"missing", missing}}}};
  spec["data"] = json::array({
      {{"name", m.id + "_cells"}, {"values", rows}},
      {{"name", m.id + "_missing"},
       {"source", m.id + "_cells"},
       {"transform", {{{"type", "filter"}, {"expr", "!isValid(datum.v)"}}}}},
      {{"name", m.id + "_valued"},
       {"source", m.id + "_cells"},
       {"transform", {{{"type", "filter"}, {"expr", "isValid(datum.v)"}}}}},
  });
  auto indices = [](int64_t n) {
    json out = json::array();
    for (int64_t k = 0; k < n; ++k) out.push_back(k);
    return out;
  };
  auto ordinal = [](const std::string& name, json domain, json range) {
    return json{{"name", name}, {"type", "ordinal"}, {"domain", domain}, {"range", range}};
  };
  spec["scales"] = json::array({
      {{"name", X}, {"type", "band"}, {"domain", indices(nx)}, {"range", {0, W}}},
      {{"name", Y}, {"type", "band"}, {"domain", indices(ny)}, {"range", {H, 0}}},
      {{"name", C},
       {"type", m.log_color ? "log" : "linear"},
       {"domain", color_domain(m, extent)},
       {"range", {{"scheme", std::isnan(m.center) ? "viridis" : "blueorange"}}},
       {"zero", false},
       {"nice", false},
       {"clamp", true}},
      ordinal(m.id + "_x_label", indices(nx), axis_labels(m.x)),
      ordinal(m.id + "_y_label", indices(ny), axis_labels(m.y)),
      ordinal(m.id + "_missing_key", json::array({m.missing_label}), json::array({kMissingFill})),
  });
  const std::string x_label = label_of(m.x, m.id + "_x_label", "datum.value", ".3~g");
  const std::string y_label = label_of(m.y, m.id + "_y_label", "datum.value", ".3~g");
  auto axis = [&](const char* orient, const std::string& scale, const std::string& title,
                  json values, const std::string& label) {
    return json{{"orient", orient},
                {"scale", scale},
                {"title", title},
                {"values", values},
                {"domain", false},
                {"ticks", false},
                {"labelPadding", 4},
                {"titleFontSize", 12},
                {"labelFontSize", 11},
                {"encode", {{"labels", {{"update", {{"text", {{"signal", label}}}}}}}}}};
  };
  spec["axes"] = json::array({
      axis("bottom", X, x_title, tick_values(m.x, W, 48), x_label),
      axis("left", Y, y_title, tick_values(m.y, H, 18), y_label),
  });
  spec["legends"] = json::array({{{"fill", C},
                                  {"type", "gradient"},
                                  {"orient", "right"},
                                  {"title", value_title},
                                  {"gradientLength", std::clamp(H, 60, 240)},
                                  {"titleFontSize", 11},
                                  {"labelFontSize", 10}}});
  if (missing > 0)
    spec["legends"].push_back({{"fill", m.id + "_missing_key"},
                               {"orient", "right"},
                               {"symbolType", "square"},
                               {"symbolStrokeColor", kHatchStroke},
                               {"symbolStrokeWidth", 1},
                               {"labelFontSize", 11}});

  const json cell_x = {{"scale", X}, {"field", "i"}}, cell_y = {{"scale", Y}, {"field", "j"}};
  json cell = {{"x", cell_x},
               {"width", {{"scale", X}, {"band", 1}}},
               {"y", cell_y},
               {"height", {{"scale", Y}, {"band", 1}}},
               {"fill",
                {{"signal", "isValid(datum.v) ? scale('" + C + "', datum.v) : '" +
                                std::string(kMissingFill) + "'"}}}};
  if (options.interactive)
    cell["tooltip"] = {
        {"signal",
         std::string("{") + quoted(x_title) + ": " +
             label_of(m.x, m.id + "_x_label", "datum.i", ".6~g") + ", " + quoted(y_title) + ": " +
             label_of(m.y, m.id + "_y_label", "datum.j", ".6~g") + ", " + quoted(value_title) +
             ": isValid(datum.v) ? format(datum.v, '.6~g') : " + quoted(m.missing_label) + "}"}};
  json marks = json::array({
      {{"type", "rect"},
       {"name", m.id + "_cell"},
       {"from", {{"data", m.id + "_cells"}}},
       {"encode", {{"update", cell}}}},
      {{"type", "path"},
       {"name", m.id + "_hatch"},
       {"interactive", false},
       {"from", {{"data", m.id + "_missing"}}},
       {"encode",
        {{"update",
          {{"x", cell_x},
           {"y", cell_y},
           {"path",
            {{"value", hatch_path(W / static_cast<double>(nx), H / static_cast<double>(ny))}}},
           {"stroke", {{"value", kHatchStroke}}},
           {"strokeWidth", {{"value", 1}}}}}}}},
  });
  if (m.cell_text) {
    const double cw = W / static_cast<double>(nx), ch = H / static_cast<double>(ny);
    const double font = std::clamp(std::min(cw / 4.5, ch / 2), 6.0, 12.0);
    marks.push_back(
        {{"type", "text"},
         {"name", m.id + "_text"},
         {"interactive", false},
         {"from", {{"data", m.id + "_valued"}}},
         {"encode",
          {{"update",
            {{"x", {{"scale", X}, {"field", "i"}, {"band", 0.5}}},
             {"y", {{"scale", Y}, {"field", "j"}, {"band", 0.5}}},
             {"align", {{"value", "center"}}},
             {"baseline", {{"value", "middle"}}},
             {"fontSize", {{"value", font}}},
             // Dark text on light cells, white on dark ones.
             {"fill",
              {{"signal", "luminance(scale('" + C + "', datum.v)) > 0.4 ? '#1d1d1f' : 'white'"}}},
             {"text", {{"signal", "format(datum.v, '.3~g')"}}}}}}}});
  }
  spec["marks"] = marks;
  return spec;
}

}  // namespace descent::plot
