// A Scatter as a Vega spec: one symbol mark over all points (rows x, y, category c and the
// optional label l; short keys keep 10,000 points small), coloured by category from Okabe and
// Ito's palette without its yellow (weak for small points on white); past those seven colours the
// shape changes, so every category stays distinct. One legend shows colour and shape together.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "descent/plot/numbers.h"
#include "descent/plot/palette.h"
#include "descent/plot/spec_parts.h"

namespace descent::plot {
namespace {

using nlohmann::json;

constexpr size_t kColors = 7;  // palette() without the yellow, its last colour
constexpr std::array<const char*, 6> kShapes = {"circle",  "square", "triangle-up",
                                                "diamond", "cross",  "triangle-down"};

int category_count(const Scatter& s) {
  if (!s.category_names.empty()) return static_cast<int>(s.category_names.size());
  int count = 1;
  for (int c : s.category) count = std::max(count, c + 1);
  return count;
}

std::string category_name(const Scatter& s, int c) {
  return s.category_names.empty() ? std::to_string(c) : s.category_names[c];
}

// Marker area and opacity: large and solid for a few points, small and see-through for many, so
// dense regions show their density.
double marker_area(const Scatter& s) {
  if (s.point_size > 0) return s.point_size;
  return s.x.size() <= 200 ? 50 : s.x.size() <= 2000 ? 24 : 10;
}
double marker_opacity(const Scatter& s) { return s.x.size() <= 2000 ? 0.85 : 0.6; }

std::string readout(const Scatter& s, const std::string& id) {
  const auto [x_title, y_title] = readout_names(s.x_title, s.y_title);
  std::string tip = std::string("{") + quoted(x_title) + ": format(datum.x, '.6~g'), " +
                    quoted(y_title) + ": format(datum.y, '.6~g'), 'category': scale('" + id +
                    "_name', datum.c)";
  if (!s.labels.empty()) tip += ", 'label': datum.l";
  return tip + "}";
}

}  // namespace

void check_scatter(const Scatter& s) {
  check_figure_id(s.id);
  if (s.x.empty()) invalid_figure(s.id, "x", "empty (expected at least one point)");
  if (s.y.size() != s.x.size())
    invalid_figure(s.id, "y",
                   std::to_string(s.y.size()) + " values, expected " + std::to_string(s.x.size()) +
                       " (one per point, as x)");
  for (size_t k = 0; k < s.x.size(); ++k)
    if (!std::isfinite(s.x[k]) || !std::isfinite(s.y[k]))
      invalid_figure(s.id, "x[" + std::to_string(k) + "], y[" + std::to_string(k) + "]",
                     "not a finite point");
  if (!s.category.empty() && s.category.size() != s.x.size())
    invalid_figure(s.id, "category",
                   std::to_string(s.category.size()) + " values, expected " +
                       std::to_string(s.x.size()) + " (one per point) or none");
  const int names = static_cast<int>(s.category_names.size());
  for (size_t k = 0; k < s.category.size(); ++k) {
    const int c = s.category[k];
    if (c < 0 || (names > 0 && c >= names))
      invalid_figure(
          s.id, "category[" + std::to_string(k) + "]",
          std::to_string(c) + (names > 0 ? " (expected 0 .. " + std::to_string(names - 1) +
                                               ", an index into category_names)"
                                         : " (expected >= 0)"));
  }
  for (int a = 0; a < names; ++a)
    for (int b = a + 1; b < names; ++b)
      if (s.category_names[a] == s.category_names[b])
        invalid_figure(s.id, "category_names[" + std::to_string(b) + "]",
                       "'" + s.category_names[b] + "' again (the legend needs distinct names)");
  if (!s.labels.empty() && s.labels.size() != s.x.size())
    invalid_figure(s.id, "labels",
                   std::to_string(s.labels.size()) + " labels, expected " +
                       std::to_string(s.x.size()) + " (one per point) or none");
  if (!std::isfinite(s.point_size) || s.point_size < 0)
    invalid_figure(
        s.id, "point_size",
        std::to_string(s.point_size) + " (expected an area > 0 in px^2, or 0: automatic)");
  if (s.width <= 0 || s.height <= 0)
    invalid_figure(s.id, "width, height",
                   std::to_string(s.width) + " x " + std::to_string(s.height) + " (expected > 0)");
}

json scatter_spec(const Scatter& s, const SpecOptions& options) {
  check_scatter(s);
  const std::string X = s.id + "_x", Y = s.id + "_y";
  const int categories = category_count(s);

  json rows = json::array();
  rows.get_ref<json::array_t&>().reserve(s.x.size());
  Extent ex, ey;
  for (size_t k = 0; k < s.x.size(); ++k) {
    ex.add(s.x[k]);
    ey.add(s.y[k]);
    json row = {{"x", json_number(s.x[k])},
                {"y", json_number(s.y[k])},
                {"c", s.category.empty() ? 0 : s.category[k]}};
    if (!s.labels.empty()) row["l"] = s.labels[k];
    rows.push_back(std::move(row));
  }
  json ids = json::array(), colors = json::array(), shapes = json::array(), names = json::array();
  for (int c = 0; c < categories; ++c) {
    ids.push_back(c);
    colors.push_back(palette()[c % kColors]);
    shapes.push_back(kShapes[(c / kColors) % kShapes.size()]);
    names.push_back(category_name(s, c));
  }

  json spec = spec_frame(s.title, s.width, s.height);
  spec["description"] = s.title.empty() ? s.id : s.title;
  spec["usermeta"] = {
      {"descent",
       {{"kind", "scatter"}, {"id", s.id}, {"points", s.x.size()}, {"categories", categories}}}};
  spec["data"] = json::array({{{"name", s.id + "_points"}, {"values", rows}}});
  auto ordinal = [](const std::string& name, json range, const json& domain) {
    return json{{"name", name}, {"type", "ordinal"}, {"domain", domain}, {"range", range}};
  };
  spec["scales"] = json::array({
      {{"name", X},
       {"type", "linear"},
       {"domain", ex.domain()},
       {"range", {0, s.width}},  // numbers, not "width": in a column the group has no signal
       {"zero", false},
       {"nice", true}},
      {{"name", Y},
       {"type", "linear"},
       {"domain", ey.domain()},
       {"range", {s.height, 0}},
       {"zero", false},
       {"nice", true}},
      ordinal(s.id + "_color", colors, ids),
      ordinal(s.id + "_shape", shapes, ids),
      ordinal(s.id + "_name", names, ids),
  });
  spec["axes"] = json::array({
      {{"orient", "bottom"},
       {"scale", X},
       {"title", s.x_title},
       {"grid", true},
       {"gridOpacity", 0.35},
       {"titleFontSize", 12},
       {"labelFontSize", 11}},
      {{"orient", "left"},
       {"scale", Y},
       {"title", s.y_title},
       {"grid", true},
       {"gridOpacity", 0.35},
       {"titleFontSize", 12},
       {"labelFontSize", 11}},
  });
  spec["legends"] = json::array();
  if (categories > 1 || !s.category_names.empty())
    spec["legends"].push_back(
        {{"fill", s.id + "_color"},
         {"shape", s.id + "_shape"},
         {"orient", "right"},
         {"labelFontSize", 11},
         {"labelLimit", 200},
         {"encode",
          {{"labels",
            {{"update", {{"text", {{"signal", "scale('" + s.id + "_name', datum.value)"}}}}}}}}}});

  json point = {{"x", {{"scale", X}, {"field", "x"}}},
                {"y", {{"scale", Y}, {"field", "y"}}},
                {"fill", {{"scale", s.id + "_color"}, {"field", "c"}}},
                {"shape", {{"scale", s.id + "_shape"}, {"field", "c"}}},
                {"size", {{"value", marker_area(s)}}},
                {"fillOpacity", {{"value", marker_opacity(s)}}}};
  if (options.interactive) point["tooltip"] = {{"signal", readout(s, s.id)}};
  spec["marks"] = json::array({{{"type", "symbol"},
                                {"name", s.id + "_point"},
                                {"interactive", options.interactive},
                                {"from", {{"data", s.id + "_points"}}},
                                {"encode", {{"enter", point}}}}});
  return spec;
}

}  // namespace descent::plot
