// A ContourPlot as a Vega spec: Vega's isocontour transform draws the levels (computed here, so
// log spacing and the exact values are ours) from the grid, and the paths, start points, known
// points and each path's current position go over them.
//
// The `step` signal (start: the last step) filters every path to the points with step <= step;
// the page's slider and play button move it. Rows carry the path's number p (ordinal scales give
// its colour, name and last step), the step s and the numbers x, y, loss, lr.
//
// Grid geometry: Vega's contour coordinates put grid value i at i + 0.5 (cell centres), while our
// column i lies at x_min + i dx; the transform's scale and translate map one onto the other.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "descent/plot/levels.h"
#include "descent/plot/numbers.h"
#include "descent/plot/palette.h"
#include "descent/plot/spec_parts.h"

namespace descent::plot {
namespace {

using nlohmann::json;

constexpr int kMaxLevels = 1000;

int plot_height(const ContourPlot& p) {
  const double aspect = (p.y_max - p.y_min) / (p.x_max - p.x_min);
  return static_cast<int>(std::lround(p.width * std::clamp(aspect, 0.4, 2.0)));
}

// Level fills from near-white (lowest) to light grey (highest): the coloured paths stay readable
// over every band.
std::string level_fill(size_t k, size_t count) {
  const double t = count > 1 ? static_cast<double>(k) / static_cast<double>(count - 1) : 0;
  const int v = static_cast<int>(std::lround(253 - t * (253 - 190)));
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", v, v, std::min(255, v + 4));
  return buf;
}

// Where a path point is drawn. A diverging optimizer leaves the window for coordinates like 1e22,
// which renderers choke on (cairo spins on such paths), so a point beyond ten windows in any
// direction is drawn where its segment from the previous point (else towards the next one)
// crosses that far box: the line leaves the window in its true direction. The row keeps the
// exact point for readouts.
struct FarBox {
  double x0, x1, y0, y1;
  bool holds(double x, double y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
  // The point where the segment from (ax, ay), inside, towards (bx, by) leaves the box.
  std::pair<double, double> exit(double ax, double ay, double bx, double by) const {
    double t = 1;
    if (bx > x1) t = std::min(t, (x1 - ax) / (bx - ax));
    if (bx < x0) t = std::min(t, (x0 - ax) / (bx - ax));
    if (by > y1) t = std::min(t, (y1 - ay) / (by - ay));
    if (by < y0) t = std::min(t, (y0 - ay) / (by - ay));
    return {ax + t * (bx - ax), ay + t * (by - ay)};
  }
};

// The drawn place of point s, when it differs from the point.
std::optional<std::pair<double, double>> drawn_place(const Path& path, size_t s,
                                                     const FarBox& box) {
  const double x = path.x[s], y = path.y[s];
  if (!std::isfinite(x) || !std::isfinite(y) || box.holds(x, y)) return std::nullopt;
  auto inside = [&](size_t i) {
    return std::isfinite(path.x[i]) && std::isfinite(path.y[i]) && box.holds(path.x[i], path.y[i]);
  };
  if (s > 0 && inside(s - 1)) return box.exit(path.x[s - 1], path.y[s - 1], x, y);
  if (s + 1 < path.x.size() && inside(s + 1)) return box.exit(path.x[s + 1], path.y[s + 1], x, y);
  return std::make_pair(std::clamp(x, box.x0, box.x1), std::clamp(y, box.y0, box.y1));
}

std::string format_or_none(const std::string& field) {
  return "isValid(datum." + field + ") ? format(datum." + field + ", '.6~g') : 'n/a'";
}

}  // namespace

void check_contour_plot(const ContourPlot& p) {
  check_figure_id(p.id);
  auto range = [&](double lo, double hi, const std::string& name) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo))
      invalid_figure(
          p.id, name + "_min, " + name + "_max",
          std::to_string(lo) + ", " + std::to_string(hi) + " (expected finite numbers, min < max)");
  };
  range(p.x_min, p.x_max, "x");
  range(p.y_min, p.y_max, "y");
  if (p.nx < 2 || p.ny < 2)
    invalid_figure(p.id, "nx, ny",
                   std::to_string(p.nx) + " x " + std::to_string(p.ny) +
                       " (expected a grid of at least 2 x 2)");
  if (static_cast<int64_t>(p.z.size()) != p.nx * p.ny)
    invalid_figure(
        p.id, "z",
        std::to_string(p.z.size()) + " values, expected nx * ny = " + std::to_string(p.nx * p.ny));
  for (size_t i = 0; i < p.z.size(); ++i)
    if (!std::isfinite(p.z[i]))
      invalid_figure(p.id, "z[" + std::to_string(i) + "]",
                     "not a finite number (row " + std::to_string(i / p.nx) + ", column " +
                         std::to_string(i % p.nx) + ")");
  if (p.levels < 1 || p.levels > kMaxLevels)
    invalid_figure(
        p.id, "levels",
        std::to_string(p.levels) + " (expected 1 .. " + std::to_string(kMaxLevels) + ")");
  if (p.width <= 0) invalid_figure(p.id, "width", std::to_string(p.width) + " (expected > 0)");
  for (size_t k = 0; k < p.paths.size(); ++k) {
    const Path& path = p.paths[k];
    const std::string f = "paths[" + std::to_string(k) + "] '" + path.name + "'";
    if (path.x.empty()) invalid_figure(p.id, f + ".x", "empty (a path has at least its start)");
    auto same = [&](const std::vector<double>& v, const std::string& name) {
      if (v.empty() && name != "y") return;
      if (v.size() != path.x.size())
        invalid_figure(p.id, f + "." + name,
                       std::to_string(v.size()) + " values, expected " +
                           std::to_string(path.x.size()) + " (one per step, as x)" +
                           (name != "y" ? " or none" : ""));
    };
    same(path.y, "y");
    same(path.loss, "loss");
    same(path.lr, "lr");
  }
  for (size_t k = 0; k < p.points.size(); ++k)
    if (!std::isfinite(p.points[k].x) || !std::isfinite(p.points[k].y))
      invalid_figure(p.id, "points[" + std::to_string(k) + "]", "not a finite point");
}

json contour_plot_spec(const ContourPlot& p, const SpecOptions& options) {
  check_contour_plot(p);
  const int W = p.width, H = plot_height(p);
  const std::string X = p.id + "_x", Y = p.id + "_y";

  // The grid, top row first (screen order).
  json values = json::array();
  values.get_ref<json::array_t&>().reserve(p.z.size());
  for (int64_t r = p.ny - 1; r >= 0; --r)
    for (int64_t i = 0; i < p.nx; ++i) values.push_back(p.z[r * p.nx + i]);
  const std::vector<double> thresholds = contour_thresholds(p.z, p.levels, p.log_levels);
  json fills = json::array();
  for (size_t k = 0; k < thresholds.size(); ++k) fills.push_back(level_fill(k, thresholds.size()));
  const double sx = W / static_cast<double>(p.nx - 1), sy = H / static_cast<double>(p.ny - 1);

  // Paths.
  json rows = json::array(), ids = json::array(), colors = json::array(), names = json::array(),
       lasts = json::array(), starts = json::array(), legend_names = json::array(),
       legend_colors = json::array();
  int64_t max_step = 0;
  const double w = p.x_max - p.x_min, h = p.y_max - p.y_min;
  const FarBox far{p.x_min - 10 * w, p.x_max + 10 * w, p.y_min - 10 * h, p.y_max + 10 * h};
  for (size_t k = 0; k < p.paths.size(); ++k) {
    const Path& path = p.paths[k];
    const int64_t last = static_cast<int64_t>(path.x.size()) - 1;
    max_step = std::max(max_step, last);
    ids.push_back(k);
    const std::string color = color_for(path.color_key.empty() ? path.name : path.color_key);
    colors.push_back(color);
    names.push_back(path.name);
    lasts.push_back(last);
    if (std::find(legend_names.begin(), legend_names.end(), json(path.name)) ==
        legend_names.end()) {
      legend_names.push_back(path.name);
      legend_colors.push_back(color);
    }
    for (size_t s = 0; s < path.x.size(); ++s) {
      json row = {{"p", k}, {"s", s}, {"x", json_number(path.x[s])}, {"y", json_number(path.y[s])}};
      if (const auto place = drawn_place(path, s, far)) {
        row["dx"] = place->first;
        row["dy"] = place->second;
      }
      if (!path.loss.empty()) row["loss"] = json_number(path.loss[s]);
      if (!path.lr.empty()) row["lr"] = json_number(path.lr[s]);
      rows.push_back(std::move(row));
    }
    const json start = {{"x", json_number(path.x[0])}, {"y", json_number(path.y[0])}};
    if (std::find(starts.begin(), starts.end(), start) == starts.end()) starts.push_back(start);
  }
  json points = json::array();
  for (const KnownPoint& kp : p.points)
    points.push_back({{"x", kp.x}, {"y", kp.y}, {"label", kp.label}});

  json spec = spec_frame(p.title, W, H);
  spec["description"] = p.title.empty() ? p.id : p.title;
  spec["usermeta"] = {{"descent",
                       {{"kind", "contour_plot"},
                        {"id", p.id},
                        {"max_step", max_step},
                        {"levels", thresholds},
                        {"signals", {{"step", "step"}}}}}};
  spec["signals"] = json::array({{{"name", "step"}, {"value", max_step}}});
  spec["data"] = json::array({
      {{"name", p.id + "_grid"},
       {"values", json::array({{{"width", p.nx}, {"height", p.ny}, {"values", values}}})},
       {"transform",
        {{{"type", "isocontour"},
          {"thresholds", thresholds},
          {"scale", {{"expr", json::array({sx, sy}).dump()}}},
          {"translate", {-0.5 * sx, -0.5 * sy}}}}}},
      {{"name", p.id + "_paths"}, {"values", rows}},
      {{"name", p.id + "_shown"},
       {"source", p.id + "_paths"},
       {"transform", {{{"type", "filter"}, {"expr", "datum.s <= step"}}}}},
      {{"name", p.id + "_hoverable"},
       {"source", p.id + "_shown"},
       {"transform", {{{"type", "filter"}, {"expr", "isValid(datum.x) && isValid(datum.y)"}}}}},
      {{"name", p.id + "_heads"},
       {"source", p.id + "_paths"},
       {"transform",
        {{{"type", "filter"},
          {"expr", "datum.s == min(step, scale('" + p.id +
                       "_last', datum.p)) && isValid(datum.x) "
                       "&& isValid(datum.y)"}}}}},
      {{"name", p.id + "_starts"}, {"values", starts}},
      {{"name", p.id + "_points"}, {"values", points}},
  });
  auto ordinal = [&](const std::string& name, json domain, json range) {
    return json{{"name", name}, {"type", "ordinal"}, {"domain", domain}, {"range", range}};
  };
  spec["scales"] = json::array({
      {{"name", X},
       {"type", "linear"},
       {"domain", {p.x_min, p.x_max}},
       {"range", {0, W}},
       {"zero", false}},
      {{"name", Y},
       {"type", "linear"},
       {"domain", {p.y_min, p.y_max}},
       {"range", {H, 0}},
       {"zero", false}},
      ordinal(p.id + "_level", thresholds, fills),
      ordinal(p.id + "_color", ids, colors),
      ordinal(p.id + "_name", ids, names),
      ordinal(p.id + "_last", ids, lasts),
      ordinal(p.id + "_legend", legend_names, legend_colors),
  });
  spec["axes"] = json::array({
      {{"orient", "bottom"},
       {"scale", X},
       {"title", p.x_title.empty() ? "x" : p.x_title},
       {"titleFontSize", 12},
       {"labelFontSize", 11}},
      {{"orient", "left"},
       {"scale", Y},
       {"title", p.y_title.empty() ? "y" : p.y_title},
       {"titleFontSize", 12},
       {"labelFontSize", 11}},
  });
  spec["legends"] = json::array();
  if (!legend_names.empty())
    spec["legends"].push_back({{"stroke", p.id + "_legend"},
                               {"orient", "right"},
                               {"symbolType", "stroke"},
                               {"symbolStrokeWidth", 2},
                               {"labelLimit", 260},
                               {"labelFontSize", 11}});

  const json x_at = {{"scale", X}, {"field", "x"}}, y_at = {{"scale", Y}, {"field", "y"}};
  const json path_x = {{"scale", X}, {"signal", "isValid(datum.dx) ? datum.dx : datum.x"}};
  const json path_y = {{"scale", Y}, {"signal", "isValid(datum.dy) ? datum.dy : datum.y"}};
  const std::string tip = "{'optimizer': scale('" + p.id +
                          "_name', datum.p), 'step': datum.s, "
                          "'x': " +
                          format_or_none("x") + ", 'y': " + format_or_none("y") +
                          ", 'loss': " + format_or_none("loss") +
                          ", 'lr': " + format_or_none("lr") + "}";
  json contour = {{"type", "shape"},
                  {"name", p.id + "_contours"},
                  {"from", {{"data", p.id + "_grid"}}},
                  {"encode",
                   {{"update",
                     {{"fill", {{"scale", p.id + "_level"}, {"field", "contour.value"}}},
                      {"stroke", {{"value", "#5b5b66"}}},
                      {"strokeWidth", {{"value", 0.6}}},
                      {"strokeOpacity", {{"value", 0.55}}}}}}},
                  {"transform", {{{"type", "geoshape"}, {"field", "datum.contour"}}}}};
  if (options.interactive)
    contour["encode"]["update"]["tooltip"] = {
        {"signal", "{'level': format(datum.contour.value, '.6~g')}"}};
  json lines = {
      {"type", "group"},
      {"name", p.id + "_path_lines"},
      {"from",
       {{"facet", {{"name", p.id + "_path_facet"}, {"data", p.id + "_shown"}, {"groupby", "p"}}}}},
      {"encode", {{"update", {{"width", {{"value", W}}}, {"height", {{"value", H}}}}}}},
      {"marks",
       {{{"type", "line"},
         {"name", p.id + "_path"},
         {"from", {{"data", p.id + "_path_facet"}}},
         {"encode",
          {{"update",
            {{"x", path_x},
             {"y", path_y},
             {"stroke", {{"scale", p.id + "_color"}, {"signal", "parent.p"}}},
             {"strokeWidth", {{"value", 2}}},
             {"strokeJoin", {{"value", "round"}}},
             {"defined", {{"signal", "isValid(datum.x) && isValid(datum.y)"}}}}}}}}}}};
  json start_marks = {
      {"type", "symbol"},
      {"name", p.id + "_start"},
      {"from", {{"data", p.id + "_starts"}}},
      {"encode",
       {{"update",
         {{"x", x_at},
          {"y", y_at},
          {"shape", {{"value", "square"}}},
          {"size", {{"value", 80}}},
          {"fill", {{"value", "white"}}},
          {"stroke", {{"value", "black"}}},
          {"strokeWidth", {{"value", 1.5}}},
          {"tooltip", {{"signal", "'start (' + datum.x + ', ' + datum.y + ')'"}}}}}}}};
  // Labels: a white halo under dark text, readable over contour lines and paths; on the right
  // half of the plot they sit left of their point, so they stay inside it.
  const std::string right_half = "datum.x > " + json(0.5 * (p.x_min + p.x_max)).dump();
  auto label = [&](const std::string& data, const std::string& text, bool halo) {
    json update = {{"x", x_at},
                   {"y", {{"scale", Y}, {"field", "y"}, {"offset", -7}}},
                   {"dx", {{"signal", right_half + " ? -9 : 9"}}},
                   {"align", {{"signal", right_half + " ? 'right' : 'left'"}}},
                   {"fontSize", {{"value", 11}}},
                   {"fontWeight", {{"value", "bold"}}},
                   {"fill", {{"value", halo ? "white" : "#222222"}}},
                   {"text", {{"signal", text}}}};
    if (halo) {
      update["stroke"] = {{"value", "white"}};
      update["strokeWidth"] = {{"value", 4}};
      update["strokeOpacity"] = {{"value", 0.85}};
    }
    return json{{"type", "text"}, {"from", {{"data", data}}}, {"encode", {{"update", update}}}};
  };
  json known = {
      {"type", "symbol"},
      {"name", p.id + "_known"},
      {"from", {{"data", p.id + "_points"}}},
      {"encode",
       {{"update",
         {{"x", x_at},
          {"y", y_at},
          {"shape", {{"value", "diamond"}}},
          {"size", {{"value", 110}}},
          {"fill", {{"value", "#222222"}}},
          {"stroke", {{"value", "white"}}},
          {"strokeWidth", {{"value", 1}}},
          {"tooltip", {{"signal", "datum.label + ' (' + datum.x + ', ' + datum.y + ')'"}}}}}}}};
  json heads = {{"type", "symbol"},
                {"name", p.id + "_head"},
                {"from", {{"data", p.id + "_heads"}}},
                {"encode",
                 {{"update",
                   {{"x", path_x},
                    {"y", path_y},
                    {"size", {{"value", 70}}},
                    {"fill", {{"scale", p.id + "_color"}, {"field", "p"}}},
                    {"stroke", {{"value", "white"}}},
                    {"strokeWidth", {{"value", 1.5}}},
                    {"tooltip", {{"signal", tip}}}}}}}};
  json inner = json::array(
      {contour, lines, known, start_marks, heads, label(p.id + "_points", "datum.label", true),
       label(p.id + "_points", "datum.label", false), label(p.id + "_starts", "'start'", true),
       label(p.id + "_starts", "'start'", false)});
  if (options.interactive)
    inner.push_back({{"type", "symbol"},
                     {"name", p.id + "_hover"},
                     {"from", {{"data", p.id + "_hoverable"}}},
                     {"encode",
                      {{"update",
                        {{"x", path_x},
                         {"y", path_y},
                         {"size", {{"value", 40}}},
                         {"fill", {{"scale", p.id + "_color"}, {"field", "p"}}},
                         {"fillOpacity", {{"value", 0}}},
                         {"tooltip", {{"signal", tip}}}}}}}});
  // One clipped group holds everything drawn on the plane: paths that leave the window are cut
  // at its edge (the contour polygons reach half a cell beyond it).
  spec["marks"] = json::array(
      {{{"type", "group"},
        {"name", p.id + "_plane"},
        {"clip", true},
        {"encode", {{"update", {{"width", {{"value", W}}}, {"height", {{"value", H}}}}}}},
        {"marks", inner}}});
  return spec;
}

}  // namespace descent::plot
