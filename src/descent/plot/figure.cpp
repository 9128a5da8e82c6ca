#include "descent/plot/figure.h"

#include "descent/plot/numbers.h"
#include "descent/plot/spec_parts.h"
#include "descent/util/overloaded.h"

namespace descent::plot {
namespace {

using nlohmann::json;

json series_data(const Series& s) {
  json out = {{"name", s.name},
              {"color_key", s.color_key},
              {"x", json_numbers(s.x)},
              {"y", json_numbers(s.y)}};
  if (!s.x_alt.empty()) out["x_alt"] = json_numbers(s.x_alt);
  if (!s.lo.empty()) {
    out["lo"] = json_numbers(s.lo);
    out["hi"] = json_numbers(s.hi);
  }
  return out;
}

json line_chart_data(const LineChart& c) {
  check_line_chart(c);
  json series = json::array(), rules = json::array(), spans = json::array();
  for (const Series& s : c.series) series.push_back(series_data(s));
  for (const Rule& r : c.rules) rules.push_back({{"x", r.x}, {"label", r.label}});
  for (const Span& s : c.spans) spans.push_back({{"x0", s.x0}, {"x1", s.x1}, {"label", s.label}});
  json out = {{"kind", "line_chart"}, {"id", c.id},           {"title", c.title},
              {"x_title", c.x_title}, {"y_title", c.y_title}, {"series", series}};
  if (!c.x_alt_title.empty()) out["x_alt_title"] = c.x_alt_title;
  if (!c.rules.empty()) out["rules"] = rules;
  if (!c.spans.empty()) out["spans"] = spans;
  return out;
}

json contour_plot_data(const ContourPlot& p) {
  check_contour_plot(p);
  json paths = json::array(), points = json::array();
  for (const Path& path : p.paths) {
    json one = {{"name", path.name}, {"x", json_numbers(path.x)}, {"y", json_numbers(path.y)}};
    if (!path.loss.empty()) one["loss"] = json_numbers(path.loss);
    if (!path.lr.empty()) one["lr"] = json_numbers(path.lr);
    paths.push_back(std::move(one));
  }
  for (const KnownPoint& kp : p.points)
    points.push_back({{"x", kp.x}, {"y", kp.y}, {"label", kp.label}});
  return {{"kind", "contour_plot"},
          {"id", p.id},
          {"title", p.title},
          {"grid",
           {{"x_min", p.x_min},
            {"x_max", p.x_max},
            {"y_min", p.y_min},
            {"y_max", p.y_max},
            {"nx", p.nx},
            {"ny", p.ny},
            {"z", json_numbers(p.z)},
            {"layout", "ny rows of nx values, row 0 at y_min, column 0 at x_min"}}},
          {"paths", paths},
          {"points", points}};
}

json axis_data(const HeatmapAxis& a) {
  json out = {{"title", a.title}};
  if (a.values.empty())
    out["categories"] = a.categories;
  else
    out["values"] = json_numbers(a.values);
  return out;
}

json heatmap_data(const Heatmap& m) {
  check_heatmap(m);
  return {{"kind", "heatmap"},
          {"id", m.id},
          {"title", m.title},
          {"x", axis_data(m.x)},
          {"y", axis_data(m.y)},
          {"value_title", m.value_title},
          {"values", json_numbers(m.values)},
          {"layout",
           "one row per y cell, of one value per x cell; row 0 at y's first cell; null: "
           "missing"}};
}

json image_grid_data(const ImageGrid& g) {
  check_image_grid(g);
  json images = json::array();
  for (const Image& im : g.images) {
    json one = {{"width", im.width}, {"height", im.height}, {"channels", im.channels}};
    if (!im.caption.empty()) one["caption"] = im.caption;
    if (im.bytes.empty()) {
      json values = json::array();
      for (float v : im.values) values.push_back(float_decimal(v));
      one["values"] = std::move(values);
    } else {
      one["bytes"] = im.bytes;
    }
    images.push_back(std::move(one));
  }
  json out = {{"kind", "image_grid"},
              {"id", g.id},
              {"title", g.title},
              {"columns", g.columns},
              {"images", images},
              {"layout",
               "values (0..1) or bytes (0..255): rows of pixels from the top, channels "
               "interleaved"}};
  if (!g.row_titles.empty()) out["row_titles"] = g.row_titles;
  return out;
}

json scatter_data(const Scatter& s) {
  check_scatter(s);
  json out = {{"kind", "scatter"},     {"id", s.id},           {"title", s.title},
              {"x_title", s.x_title},  {"y_title", s.y_title}, {"x", json_numbers(s.x)},
              {"y", json_numbers(s.y)}};
  if (!s.category.empty()) out["category"] = s.category;
  if (!s.category_names.empty()) out["category_names"] = s.category_names;
  if (!s.labels.empty()) out["labels"] = s.labels;
  return out;
}

}  // namespace

const std::string& figure_id(const Figure& figure) {
  return std::visit([](const auto& f) -> const std::string& { return f.id; }, figure);
}

json vega_spec(const Figure& figure) { return vega_spec(figure, SpecOptions{}); }

json vega_spec(const Figure& figure, const SpecOptions& options) {
  return std::visit(Overloaded{[&](const LineChart& c) { return line_chart_spec(c, options); },
                               [&](const ContourPlot& p) { return contour_plot_spec(p, options); },
                               [&](const Heatmap& m) { return heatmap_spec(m, options); },
                               [&](const ImageGrid& g) { return image_grid_spec(g, options); },
                               [&](const Scatter& s) { return scatter_spec(s, options); }},
                    figure);
}

json figure_data(const Figure& figure) {
  return std::visit(Overloaded{[](const LineChart& c) { return line_chart_data(c); },
                               [](const ContourPlot& p) { return contour_plot_data(p); },
                               [](const Heatmap& m) { return heatmap_data(m); },
                               [](const ImageGrid& g) { return image_grid_data(g); },
                               [](const Scatter& s) { return scatter_data(s); }},
                    figure);
}

json vega_spec_column(const std::vector<Figure>& figures, const SpecOptions& options) {
  std::vector<std::string> seen;
  json groups = json::array();
  for (const Figure& figure : figures) {
    const std::string& id = figure_id(figure);
    if (std::find(seen.begin(), seen.end(), id) != seen.end())
      invalid_figure(id, "id", "used by two figures (ids must be unique)");
    seen.push_back(id);
    json spec = vega_spec(figure, options);
    // The figure's scope moves into a group mark; its plot area becomes the group's size.
    json group = {
        {"type", "group"},
        {"name", id},
        {"encode",
         {{"update",
           {{"width", {{"value", spec["width"]}}}, {"height", {{"value", spec["height"]}}}}}}}};
    for (const char* key : {"title", "signals", "data", "scales", "axes", "legends", "marks"})
      if (spec.contains(key)) group[key] = spec[key];
    groups.push_back(std::move(group));
  }
  json out = spec_frame("", 0, 0);
  out.erase("width");
  out.erase("height");
  out["layout"] = {{"columns", 1}, {"padding", 28}, {"bounds", "full"}, {"align", "none"}};
  out["marks"] = groups;
  return out;
}

}  // namespace descent::plot
