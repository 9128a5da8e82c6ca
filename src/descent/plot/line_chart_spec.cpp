// A LineChart as a Vega spec. Every drawn line is a "trace": trace k < n is series k as given,
// trace n + j the smoothed copy of the j-th series marked smooth. Rows carry only the trace
// number and the numbers (t, x, y, xa); colour, width, opacity and name come from ordinal scales
// keyed by trace, so the data stays small.
//
// Log/linear y is the signal <id>_log_y. Vega cannot switch a scale's type by signal, so a
// formula maps y to log10(y) (null where y <= 0: a gap) when it is on, the scale stays linear, and
// the axis puts its ticks at the decades and labels them 10^v. The x axis likewise reads x or xa
// (wall time) by the signal <id>_x_alt.
//
// Smoothing: Vega's transforms have no recursive average, so the smoothed traces are data
// (<id>_smoothed) computed here at the spec's starting smoothing (static images show them too);
// the page's JavaScript recomputes that data set with the same formula when the slider moves
// (smoothing.h). The `smoothing` signal itself only fades the raw lines under their smoothed
// copies while it is above zero.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "descent/plot/numbers.h"
#include "descent/plot/palette.h"
#include "descent/plot/smoothing.h"
#include "descent/plot/spec_parts.h"

namespace descent::plot {
namespace {

using nlohmann::json;

constexpr double kNormalWidth = 2, kFaintWidth = 1;
constexpr double kNormalOpacity = 1, kFaintOpacity = 0.35, kUnderSmoothOpacity = 0.25;
// A log axis tick's value (ticks sit at log10 of the value).
const std::string kDecade = "pow(10, datum.value)";
// Above this many points the chart gets no hover targets (one invisible SVG element each).
constexpr size_t kMaxHoverPoints = 20000;

bool has_x_alt(const LineChart& c) {
  return std::any_of(c.series.begin(), c.series.end(),
                     [](const Series& s) { return !s.x_alt.empty(); });
}

// Where x lands on the alternative axis: linear interpolation along the first series that has
// both (e.g. the wall time of the best epoch), clamped to its ends.
double to_alt(const LineChart& c, double x) {
  for (const Series& s : c.series) {
    if (s.x_alt.empty() || s.x.empty()) continue;
    std::vector<std::pair<double, double>> pts;
    for (size_t i = 0; i < s.x.size(); ++i)
      if (std::isfinite(s.x[i]) && std::isfinite(s.x_alt[i])) pts.emplace_back(s.x[i], s.x_alt[i]);
    if (pts.empty()) continue;
    std::sort(pts.begin(), pts.end());
    if (x <= pts.front().first) return pts.front().second;
    if (x >= pts.back().first) return pts.back().second;
    auto hi = std::lower_bound(pts.begin(), pts.end(),
                               std::make_pair(x, -std::numeric_limits<double>::infinity()));
    auto lo = hi - 1;
    if (hi->first == lo->first) return hi->second;
    return lo->second + (hi->second - lo->second) * (x - lo->first) / (hi->first - lo->first);
  }
  return x;
}

// The y axis in log mode: ticks at decades (and 2, 5 within them when the range is short) over
// [floor(log10 min), ceil(log10 max)] of the positive values.
struct LogAxis {
  double e0 = -1, e1 = 1;
  std::vector<double> ticks;
};

LogAxis log_axis(const Extent& positive) {
  LogAxis a;
  if (!positive.empty()) {
    a.e0 = std::floor(std::log10(positive.lo));
    a.e1 = std::ceil(std::log10(positive.hi));
    if (a.e1 <= a.e0) a.e1 = a.e0 + 1;
  }
  const double decades = a.e1 - a.e0;
  if (decades <= 2) {
    for (double e = a.e0; e <= a.e1; ++e)
      for (double m : {1.0, 2.0, 5.0})
        if (e + std::log10(m) <= a.e1) a.ticks.push_back(e + std::log10(m));
  } else {
    const double step = std::ceil(decades / 8);
    for (double e = a.e0; e <= a.e1; e += step) a.ticks.push_back(e);
  }
  return a;
}

// `x` or the field the x_alt signal picks.
struct Names {
  std::string id, log_y, x_alt, x_scale, y_scale;
  bool alt = false;
  std::string xv(const std::string& f = "x") const { return alt ? f + "v" : f; }
};

// The formula a data set's x field goes through when there is an alternative axis.
json x_formula(const Names& n, const std::string& field, const std::string& alt_field) {
  return {{"type", "formula"},
          {"as", field + "v"},
          {"expr", n.x_alt + " ? datum." + alt_field + " : datum." + field}};
}

// y as the scale sees it: log10(y) while log_y is on (null at y <= 0), else y.
json y_formula(const Names& n, const std::string& field) {
  return {{"type", "formula"},
          {"as", field + "v"},
          {"expr", n.log_y + " ? (datum." + field + " > 0 ? log(datum." + field +
                       ") / LN10 : null) : datum." + field}};
}

json series_rows(const Series& s, int trace, const std::vector<double>& y) {
  json rows = json::array();
  for (size_t i = 0; i < s.x.size(); ++i) {
    json row = {{"t", trace}, {"x", json_number(s.x[i])}, {"y", json_float_number(y[i])}};
    if (!s.x_alt.empty()) row["xa"] = json_float_number(s.x_alt[i]);
    rows.push_back(std::move(row));
  }
  return rows;
}

json facet_group(const std::string& facet, const std::string& data, int width, int height,
                 json mark) {
  mark["from"] = {{"data", facet}};
  return {
      {"type", "group"},
      {"from", {{"facet", {{"name", facet}, {"data", data}, {"groupby", "t"}}}}},
      {"clip", true},
      {"encode", {{"update", {{"width", {{"value", width}}}, {"height", {{"value", height}}}}}}},
      {"marks", json::array({std::move(mark)})}};
}

// Tooltip keys: the axis titles, unless empty or clashing.
std::string key_or(const std::string& title, const std::string& fallback,
                   const std::vector<std::string>& taken) {
  if (title.empty() || std::find(taken.begin(), taken.end(), title) != taken.end()) return fallback;
  return title;
}

}  // namespace

void check_line_chart(const LineChart& c) {
  check_figure_id(c.id);
  if (c.width <= 0 || c.height <= 0)
    invalid_figure(
        c.id, "width, height",
        std::to_string(c.width) + " x " + std::to_string(c.height) + " (expected positive pixels)");
  for (size_t k = 0; k < c.series.size(); ++k) {
    const Series& s = c.series[k];
    const std::string f = "series[" + std::to_string(k) + "] '" + s.name + "'";
    const std::string n = std::to_string(s.x.size());
    auto same = [&](const std::vector<double>& v, const std::string& name, bool optional) {
      if ((optional && v.empty()) || v.size() == s.x.size()) return;
      invalid_figure(c.id, f + "." + name,
                     std::to_string(v.size()) + " values, expected " + n + " (as many as x)" +
                         (optional ? " or none" : ""));
    };
    same(s.y, "y", false);
    same(s.x_alt, "x_alt", true);
    same(s.lo, "lo", true);
    same(s.hi, "hi", true);
    if (s.lo.empty() != s.hi.empty())
      invalid_figure(c.id, f + (s.lo.empty() ? ".lo" : ".hi"),
                     "missing: a band needs both lo and hi");
    if (c.log_x)
      for (double x : s.x)
        if (!(x > 0))
          invalid_figure(c.id, f + ".x", "log_x needs positive x, got " + std::to_string(x));
  }
  for (size_t k = 0; k < c.rules.size(); ++k)
    if (!std::isfinite(c.rules[k].x))
      invalid_figure(c.id, "rules[" + std::to_string(k) + "].x", "not a finite number");
  for (size_t k = 0; k < c.spans.size(); ++k) {
    const Span& s = c.spans[k];
    if (!std::isfinite(s.x0) || !std::isfinite(s.x1) || s.x1 < s.x0)
      invalid_figure(c.id, "spans[" + std::to_string(k) + "]",
                     "x0 = " + std::to_string(s.x0) + ", x1 = " + std::to_string(s.x1) +
                         " (expected finite x0 <= x1)");
  }
}

json line_chart_spec(const LineChart& c, const SpecOptions& options) {
  check_line_chart(c);
  if (!(options.smoothing >= 0 && options.smoothing <= 0.99))
    invalid_figure(c.id, "smoothing", std::to_string(options.smoothing) + " (expected 0 .. 0.99)");
  Names n;
  n.id = c.id;
  n.log_y = c.id + "_log_y";
  n.x_alt = c.id + "_x_alt";
  n.x_scale = c.id + "_x";
  n.y_scale = c.id + "_y";
  n.alt = has_x_alt(c);
  const int W = c.width, H = c.height;
  const int n_series = static_cast<int>(c.series.size());

  // Traces, their styles, and the data rows.
  json trace_ids = json::array(), colors = json::array(), names = json::array(),
       widths = json::array(), opacities = json::array(), smooth_pairs = json::array(),
       smooth_raw = json::array();
  json series_data = json::array(), smoothed_data = json::array(), band_data = json::array();
  Extent xs, xas, ys, positive;
  size_t points = 0;
  for (int k = 0; k < n_series; ++k) {
    const Series& s = c.series[k];
    trace_ids.push_back(k);
    colors.push_back(color_for(s.color_key));
    names.push_back(s.name);
    widths.push_back(s.faint ? kFaintWidth : kNormalWidth);
    opacities.push_back(s.faint ? kFaintOpacity : kNormalOpacity);
    for (auto& row : series_rows(s, k, s.y)) series_data.push_back(std::move(row));
    points += s.x.size();
    for (double v : s.x) xs.add(v);
    for (double v : s.x_alt) xas.add(v);
    for (const auto* values : {&s.y, &s.lo, &s.hi})
      for (double v : *values) {
        ys.add(v);
        if (v > 0) positive.add(v);
      }
    for (size_t i = 0; i < s.lo.size(); ++i) {
      json row = {{"t", k},
                  {"x", json_number(s.x[i])},
                  {"lo", json_float_number(s.lo[i])},
                  {"hi", json_float_number(s.hi[i])}};
      if (!s.x_alt.empty()) row["xa"] = json_float_number(s.x_alt[i]);
      band_data.push_back(std::move(row));
    }
  }
  for (int k = 0; k < n_series; ++k) {
    const Series& s = c.series[k];
    if (!s.smooth) continue;
    const int t = static_cast<int>(trace_ids.size());
    trace_ids.push_back(t);
    colors.push_back(color_for(s.color_key));
    names.push_back(s.name + " (smoothed)");
    widths.push_back(kNormalWidth);
    opacities.push_back(kNormalOpacity);
    smooth_pairs.push_back({k, t});
    smooth_raw.push_back(k);
    if (options.smoothing > 0)
      for (auto& row : series_rows(s, t, debiased_ema(s.y, options.smoothing)))
        smoothed_data.push_back(std::move(row));
  }

  // Rules and spans, with their place on the alternative axis.
  json rule_data = json::array(), span_data = json::array();
  for (const Rule& r : c.rules) {
    // Each label a line above the previous rule's, so that rules close together stay readable.
    json row = {{"x", r.x}, {"label", r.label}, {"row", rule_data.size()}};
    xs.add(r.x);
    if (n.alt) {
      row["xa"] = to_alt(c, r.x);
      xas.add(row["xa"].get<double>());
    }
    rule_data.push_back(std::move(row));
  }
  for (const Span& s : c.spans) {
    json row = {{"x0", s.x0}, {"x1", s.x1}, {"label", s.label}};
    xs.add(s.x0);
    xs.add(s.x1);
    if (n.alt) {
      row["xa0"] = to_alt(c, s.x0);
      row["xa1"] = to_alt(c, s.x1);
    }
    span_data.push_back(std::move(row));
  }

  json spec = spec_frame(c.title, W, H);
  spec["description"] = c.title.empty() ? c.id : c.title;
  spec["usermeta"] = {{"descent",
                       {{"kind", "line_chart"},
                        {"id", c.id},
                        {"smooth", smooth_pairs},
                        {"x_alt", n.alt},
                        {"signals", {{"log_y", n.log_y}, {"x_alt", n.alt ? n.x_alt : ""}}}}}};

  json signals = json::array({{{"name", "smoothing"}, {"value", options.smoothing}},
                              {{"name", n.log_y}, {"value", c.log_y}}});
  if (n.alt) signals.push_back({{"name", n.x_alt}, {"value", false}});
  spec["signals"] = signals;

  const json series_tf = n.alt ? json::array({x_formula(n, "x", "xa"), y_formula(n, "y")})
                               : json::array({y_formula(n, "y")});
  json band_tf = json::array({y_formula(n, "lo"), y_formula(n, "hi")});
  if (n.alt) band_tf.push_back(x_formula(n, "x", "xa"));
  json rule_tf = json::array(), span_tf = json::array();
  if (n.alt) {
    rule_tf.push_back(x_formula(n, "x", "xa"));
    span_tf.push_back(x_formula(n, "x0", "xa0"));
    span_tf.push_back(x_formula(n, "x1", "xa1"));
  }
  spec["data"] = json::array({
      {{"name", c.id + "_series"}, {"values", series_data}, {"transform", series_tf}},
      {{"name", c.id + "_smoothed"}, {"values", smoothed_data}, {"transform", series_tf}},
      {{"name", c.id + "_bands"}, {"values", band_data}, {"transform", band_tf}},
      {{"name", c.id + "_rules"}, {"values", rule_data}, {"transform", rule_tf}},
      {{"name", c.id + "_spans"}, {"values", span_data}, {"transform", span_tf}},
      // The points that can be drawn now (log mode drops y <= 0): the hover targets.
      {{"name", c.id + "_drawn"},
       {"source", c.id + "_series"},
       {"transform",
        {{{"type", "filter"}, {"expr", "isValid(datum." + n.xv() + ") && isValid(datum.yv)"}}}}},
  });

  // Scales. Domains are computed here from the exact data (so both y modes and both x axes are
  // known before anything is drawn).
  const json x_domain =
      c.log_x && !xs.empty() && xs.lo == xs.hi ? json::array({xs.lo / 2, xs.hi * 2}) : xs.domain();
  json x_scale = {{"name", n.x_scale}, {"type", c.log_x ? "log" : "linear"},
                  {"range", {0, W}},   {"zero", false},
                  {"nice", !c.log_x},  {"domain", x_domain}};
  if (n.alt)
    x_scale["domain"] = {
        {"signal", n.x_alt + " ? " + xas.domain().dump() + " : " + x_domain.dump()}};
  const LogAxis log = log_axis(positive);
  json y_scale = {{"name", n.y_scale},
                  {"type", "linear"},
                  {"range", {H, 0}},
                  {"zero", false},
                  {"nice", {{"signal", "!" + n.log_y}}},
                  {"domain",
                   {{"signal", n.log_y + " ? " + json::array({log.e0, log.e1}).dump() + " : " +
                                   ys.domain().dump()}}}};
  json legend_names = json::array(), legend_colors = json::array();
  const bool all_faint =
      std::all_of(c.series.begin(), c.series.end(), [](const Series& s) { return s.faint; });
  for (const Series& s : c.series) {
    if ((s.faint && !all_faint) ||
        std::find(legend_names.begin(), legend_names.end(), json(s.name)) != legend_names.end())
      continue;
    legend_names.push_back(s.name);
    legend_colors.push_back(color_for(s.color_key));
  }
  auto ordinal = [&](const std::string& name, json domain, json range) {
    return json{{"name", name}, {"type", "ordinal"}, {"domain", domain}, {"range", range}};
  };
  spec["scales"] = json::array({x_scale, y_scale, ordinal(c.id + "_stroke", trace_ids, colors),
                                ordinal(c.id + "_name", trace_ids, names),
                                ordinal(c.id + "_width", trace_ids, widths),
                                ordinal(c.id + "_opacity", trace_ids, opacities),
                                ordinal(c.id + "_legend", legend_names, legend_colors)});

  // Axes.
  // About one tick per 80 pixels, so that labels of 5 characters ("1,000") keep apart in narrow
  // charts; whichever would still overlap (a log axis labels 1..9 in every decade) are dropped.
  json x_axis = {{"orient", "bottom"},       {"scale", n.x_scale},
                 {"labelFlush", true},       {"tickCount", std::clamp(c.width / 80, 3, 8)},
                 {"labelOverlap", "greedy"}, {"titleFontSize", 12},
                 {"labelFontSize", 11}};
  if (n.alt)
    x_axis["title"] = {
        {"signal", n.x_alt + " ? " + quoted(c.x_alt_title) + " : " + quoted(c.x_title)}};
  else
    x_axis["title"] = c.x_title;
  json y_axis = {{"orient", "left"},
                 {"scale", n.y_scale},
                 {"title", c.y_title},
                 {"grid", true},
                 {"gridOpacity", 0.35},
                 {"titleFontSize", 12},
                 {"labelFontSize", 11},
                 {"values", {{"signal", n.log_y + " ? " + json(log.ticks).dump() + " : null"}}},
                 {"encode",
                  {{"labels",
                    {{"update",
                      {{"text",
                        {{"signal", n.log_y + " ? (" + kDecade + " >= 0.001 && " + kDecade +
                                        " < 10000 ? format(" + kDecade + ", '~g') : format(" +
                                        kDecade + ", '.0e')) : datum.label"}}}}}}}}}};
  spec["axes"] = json::array({x_axis, y_axis});
  spec["legends"] = json::array();
  if (c.legend && legend_names.size() >= 2)
    spec["legends"].push_back({{"stroke", c.id + "_legend"},
                               {"orient", "right"},
                               {"symbolType", "stroke"},
                               {"symbolStrokeWidth", 2},
                               {"labelLimit", 480},
                               {"labelFontSize", 11}});

  // Marks, back to front: spans, bands, raw lines, smoothed lines, rules, hover targets.
  const std::string X = n.x_scale, Y = n.y_scale;
  json marks = json::array();
  marks.push_back({{"type", "rect"},
                   {"name", c.id + "_span_marks"},
                   {"from", {{"data", c.id + "_spans"}}},
                   {"clip", true},
                   {"encode",
                    {{"update",
                      {{"x", {{"scale", X}, {"field", n.xv("x0")}}},
                       {"x2", {{"scale", X}, {"field", n.xv("x1")}}},
                       {"y", {{"value", 0}}},
                       {"y2", {{"value", H}}},
                       {"fill", {{"value", "#7f7f7f"}}},
                       {"fillOpacity", {{"value", 0.13}}},
                       {"tooltip", {{"signal", "datum.label"}}}}}}}});
  marks.push_back({{"type", "text"},
                   {"from", {{"data", c.id + "_spans"}}},
                   {"encode",
                    {{"update",
                      {{"x", {{"scale", X}, {"field", n.xv("x0")}, {"offset", 3}}},
                       {"y", {{"value", 3}}},
                       {"baseline", {{"value", "top"}}},
                       {"fontSize", {{"value", 10}}},
                       {"fill", {{"value", "#555555"}}},
                       // Cut to the span's width (ellipsis), so labels never run into others.
                       {"limit",
                        {{"signal", "max(0, scale('" + X + "', datum." + n.xv("x1") +
                                        ") - scale('" + X + "', datum." + n.xv("x0") + ") - 4)"}}},
                       {"text", {{"field", "label"}}}}}}}});
  marks.push_back(facet_group(
      c.id + "_band_facet", c.id + "_bands", W, H,
      {{"type", "area"},
       {"name", c.id + "_band_areas"},
       {"encode",
        {{"update",
          {{"x", {{"scale", X}, {"field", n.xv()}}},
           {"y", {{"scale", Y}, {"field", "lov"}}},
           {"y2", {{"scale", Y}, {"field", "hiv"}}},
           {"fill", {{"scale", c.id + "_stroke"}, {"signal", "parent.t"}}},
           {"fillOpacity", {{"value", 0.18}}},
           {"defined",
            {{"signal",
              "isValid(datum." + n.xv() + ") && isValid(datum.lov) && isValid(datum.hiv)"}}}}}}}}));
  // A raw line fades under its smoothed copy while smoothing is on.
  const std::string smoothed_raw =
      "smoothing > 0 && indexof(" + smooth_raw.dump() + ", parent.t) >= 0";
  marks.push_back(facet_group(
      c.id + "_line_facet", c.id + "_series", W, H,
      {{"type", "line"},
       {"name", c.id + "_raw_lines"},
       {"encode",
        {{"update",
          {{"x", {{"scale", X}, {"field", n.xv()}}},
           {"y", {{"scale", Y}, {"field", "yv"}}},
           {"stroke", {{"scale", c.id + "_stroke"}, {"signal", "parent.t"}}},
           {"strokeWidth",
            {{"signal", smoothed_raw + " ? " + std::to_string(kFaintWidth) + " : scale('" + c.id +
                            "_width', parent.t)"}}},
           {"strokeOpacity",
            {{"signal", smoothed_raw + " ? " + std::to_string(kUnderSmoothOpacity) + " : scale('" +
                            c.id + "_opacity', parent.t)"}}},
           {"strokeJoin", {{"value", "round"}}},
           {"defined", {{"signal", "isValid(datum." + n.xv() + ") && isValid(datum.yv)"}}}}}}}}));
  marks.push_back(facet_group(
      c.id + "_smooth_facet", c.id + "_smoothed", W, H,
      {{"type", "line"},
       {"name", c.id + "_smoothed_lines"},
       {"encode",
        {{"update",
          {{"x", {{"scale", X}, {"field", n.xv()}}},
           {"y", {{"scale", Y}, {"field", "yv"}}},
           {"stroke", {{"scale", c.id + "_stroke"}, {"signal", "parent.t"}}},
           {"strokeWidth", {{"value", kNormalWidth}}},
           {"strokeJoin", {{"value", "round"}}},
           {"defined", {{"signal", "isValid(datum." + n.xv() + ") && isValid(datum.yv)"}}}}}}}}));
  const std::string rule_x = "scale('" + X + "', datum." + n.xv() + ")";
  const std::string near_right = "(" + rule_x + " > " + std::to_string(0.75 * W) + ")";
  marks.push_back({{"type", "rule"},
                   {"name", c.id + "_rule_marks"},
                   {"from", {{"data", c.id + "_rules"}}},
                   {"clip", true},
                   {"encode",
                    {{"update",
                      {{"x", {{"scale", X}, {"field", n.xv()}}},
                       {"y", {{"value", 0}}},
                       {"y2", {{"value", H}}},
                       {"stroke", {{"value", "#444444"}}},
                       {"strokeDash", {{"value", {4, 3}}}},
                       {"tooltip", {{"signal", "datum.label + ': ' + datum.x"}}}}}}}});
  marks.push_back({{"type", "text"},
                   {"from", {{"data", c.id + "_rules"}}},
                   {"encode",
                    {{"update",
                      {{"x", {{"scale", X}, {"field", n.xv()}}},
                       {"y", {{"signal", std::to_string(H - 3) + " - 13 * datum.row"}}},
                       {"baseline", {{"value", "bottom"}}},
                       {"fontSize", {{"value", 10}}},
                       {"fill", {{"value", "#444444"}}},
                       // Kept inside the plot area (the legend is to its right): right of the
                       // rule, or left of it in the last quarter of the width.
                       {"align", {{"signal", near_right + " ? 'right' : 'left'"}}},
                       {"dx", {{"signal", near_right + " ? -3 : 3"}}},
                       {"limit",
                        {{"signal", "max(1, " + near_right + " ? " + rule_x +
                                        " - 6 : " + std::to_string(W) + " - " + rule_x + " - 6)"}}},
                       {"text", {{"field", "label"}}}}}}}});
  if (options.interactive && points <= kMaxHoverPoints) {
    const std::string xk = key_or(c.x_title, "x", {"series"});
    const std::string yk = key_or(c.y_title, "y", {"series", xk});
    std::string tip = "{'series': scale('" + c.id + "_name', datum.t), " + quoted(xk) +
                      ": datum.x, " + quoted(yk) + ": format(datum.y, '.6~g')";
    if (n.alt)
      tip += ", " + quoted(key_or(c.x_alt_title, "x_alt", {"series", xk, yk})) + ": datum.xa";
    tip += "}";
    marks.push_back({{"type", "symbol"},
                     {"name", c.id + "_hover"},
                     {"from", {{"data", c.id + "_drawn"}}},
                     {"clip", true},
                     {"encode",
                      {{"update",
                        {{"x", {{"scale", X}, {"field", n.xv()}}},
                         {"y", {{"scale", Y}, {"field", "yv"}}},
                         {"size", {{"value", 50}}},
                         {"fill", {{"scale", c.id + "_stroke"}, {"field", "t"}}},
                         {"fillOpacity", {{"value", 0}}},
                         {"tooltip", {{"signal", tip}}}}}}}});
  }
  spec["marks"] = marks;
  return spec;
}

}  // namespace descent::plot
