// Every figure kind drawn to SVG through Node (scripts/render_svg.mjs, Vega's headless renderer)
// and read back with a real XML parser (python3's xml.etree): well-formed, and holding the marks
// the figure asks for, where it asks for them. Skipped when the npm packages are not installed.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "descent/plot/export.h"
#include "descent/plot/levels.h"
#include "descent/plot/page.h"
#include "descent/plot/tool_process.h"
#include "plot_fixtures.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace plot_test;
namespace plot = descent::plot;

// Parses the SVG and lists, for every mark's <g> (by the names in its class attribute), the
// drawn children: tag and, for paths, the path data.
constexpr const char* kReadSvg = R"py(
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
assert root.tag == '{http://www.w3.org/2000/svg}svg', root.tag
marks = {}
for g in root.iter('{http://www.w3.org/2000/svg}g'):
    names = (g.get('class') or '').split()
    if 'role-mark' not in names:
        continue
    for child in g:
        tag = child.tag.split('}')[1]
        if tag == 'g':
            continue
        item = {'tag': tag, 'd': child.get('d') or ''}
        for name in names[2:]:
            marks.setdefault(name, []).append(item)
json.dump(marks, sys.stdout)
)py";

bool have_vega() {
  return fs::exists(plot::node_modules_dir() / "vega" / "build" / "vega.module.js");
}

json read_svg(const std::string& svg) {
  const auto python = plot::find_program("python3");
  if (!python) throw std::runtime_error("python3 is needed to parse the SVG");
  const plot::ToolResult r = plot::run_tool(*python, {"-c", kReadSvg}, svg);
  if (r.status != 0) throw std::runtime_error("the SVG is not well-formed XML: " + r.err);
  return json::parse(r.out);
}

size_t count(const json& marks, const std::string& name) {
  return marks.contains(name) ? marks[name].size() : 0;
}

#define SKIP_WITHOUT_VEGA()                                             \
  if (!have_vega())                                                     \
  GTEST_SKIP() << "no " << (plot::node_modules_dir() / "vega").string() \
               << ": run scripts/setup (npm ci) to test the SVG renderer"

TEST(PlotRender, SvgOfEveryFigureKind) {
  SKIP_WITHOUT_VEGA();
  plot::SpecOptions options;
  options.interactive = false;

  // A line chart: three series (one smoothed, with a band), a rule and a span.
  const json line = read_svg(plot::render_svg(plot::vega_spec(sample_line_chart(), options)));
  EXPECT_EQ(count(line, "loss_raw_lines"), 3u) << line.dump();
  EXPECT_EQ(count(line, "loss_smoothed_lines"), 1u);
  EXPECT_EQ(count(line, "loss_band_areas"), 1u);
  EXPECT_EQ(count(line, "loss_rule_marks"), 1u);
  EXPECT_EQ(count(line, "loss_span_marks"), 1u);
  EXPECT_EQ(count(line, "loss_hover"), 0u);
  for (const json& item : line["loss_raw_lines"]) EXPECT_EQ(item["tag"], "path");

  // A contour plot: one polygon per level, a line and a current position per path, the start
  // they share and the known point.
  const plot::ContourPlot p = sample_contour();
  const json contour = read_svg(plot::render_svg(plot::vega_spec(p, options)));
  EXPECT_EQ(count(contour, "surface_contours"), static_cast<size_t>(p.levels)) << contour.dump();
  EXPECT_EQ(count(contour, "surface_path"), 2u);
  EXPECT_EQ(count(contour, "surface_head"), 2u);
  EXPECT_EQ(count(contour, "surface_start"), 1u);
  EXPECT_EQ(count(contour, "surface_known"), 1u);
}

TEST(PlotRender, ContourLinesLieWhereTheGridCrossesTheLevel) {
  SKIP_WITHOUT_VEGA();
  // z = x exactly: the region z >= t starts at x = t, which is t * width pixels from the left.
  plot::ContourPlot p = sample_contour(21, 3);
  for (int64_t j = 0; j < p.ny; ++j)
    for (int64_t i = 0; i < p.nx; ++i) p.z[j * p.nx + i] = static_cast<double>(i) / (p.nx - 1);
  p.paths.clear();
  p.points.clear();
  plot::SpecOptions options;
  options.interactive = false;
  const json marks = read_svg(plot::render_svg(plot::vega_spec(p, options)));
  const auto thresholds = plot::contour_thresholds(p.z, p.levels, false);
  ASSERT_EQ(count(marks, "surface_contours"), thresholds.size());
  const std::regex pair(R"((-?[0-9.]+),(-?[0-9.]+))");
  for (size_t k = 0; k < thresholds.size(); ++k) {
    const std::string d = marks["surface_contours"][k]["d"];
    double left = 1e9;
    for (auto it = std::sregex_iterator(d.begin(), d.end(), pair); it != std::sregex_iterator();
         ++it)
      left = std::min(left, std::stod((*it)[1]));
    EXPECT_NEAR(left, thresholds[k] * p.width, 0.5) << "level " << thresholds[k] << ": " << d;
  }
}

TEST(PlotRender, DivergingPathsStayDrawable) {
  SKIP_WITHOUT_VEGA();
  // A path that runs off to 1e22 is drawn to the far box, not to 1e22 * pixels per unit (which
  // rsvg-convert would spin on).
  plot::ContourPlot p = sample_contour();
  p.paths[0].x = {0.5, 3, -12, 1e10, 1e22};
  p.paths[0].y = {1, 1, 1, -1e10, 1e22};
  p.paths[0].loss.clear();
  p.paths[0].lr.clear();
  plot::SpecOptions options;
  options.interactive = false;
  const json marks = read_svg(plot::render_svg(plot::vega_spec(p, options)));
  ASSERT_EQ(count(marks, "surface_path"), 2u);
  const std::regex number(R"(-?[0-9.]+(e[-+]?[0-9]+)?)");
  for (const json& item : marks["surface_path"]) {
    const std::string d = item["d"];
    for (auto it = std::sregex_iterator(d.begin(), d.end(), number); it != std::sregex_iterator();
         ++it)
      EXPECT_LT(std::abs(std::stod(it->str())), 1e5) << d;
  }
}

TEST(PlotRender, StackedFiguresRenderTogether) {
  SKIP_WITHOUT_VEGA();
  plot::SpecOptions options;
  options.interactive = false;
  const json marks = read_svg(
      plot::render_svg(plot::vega_spec_column({sample_contour(), sample_line_chart()}, options)));
  EXPECT_EQ(count(marks, "surface_path"), 2u);
  EXPECT_EQ(count(marks, "loss_raw_lines"), 3u);
}

TEST(PlotRender, NodeErrorsComeBackAsExceptions) {
  SKIP_WITHOUT_VEGA();
  json spec = plot::vega_spec(sample_line_chart());
  spec["scales"][0]["type"] = "no-such-scale";
  try {
    plot::render_svg(spec);
    FAIL() << "an invalid spec rendered";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-scale"), std::string::npos) << e.what();
  }
}

}  // namespace
