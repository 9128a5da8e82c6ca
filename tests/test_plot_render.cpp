// Every figure kind drawn to SVG through Node (scripts/render_svg.mjs, Vega's headless renderer)
// and read back with a real XML parser (python3's xml.etree): well-formed, and holding the marks
// the figure asks for, where it asks for them. Skipped when the npm packages are not installed.
#include <gtest/gtest.h>
#include <png.h>

#include <filesystem>
#include <regex>

#include "descent/io/atomic_file.h"
#include "descent/plot/export.h"
#include "descent/plot/levels.h"
#include "descent/plot/page.h"
#include "descent/plot/tool_process.h"
#include "plot_fixtures.h"

namespace test_plot_render {

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
        item = {'tag': tag, 'd': child.get('d') or '',
                'href': child.get('{http://www.w3.org/1999/xlink}href') or child.get('href') or ''}
        for name in names[2:]:
            marks.setdefault(name, []).append(item)
json.dump(marks, sys.stdout)
)py";

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
  // All five kinds stacked in one spec: one Node run draws them all.
  const plot::ContourPlot p = sample_contour();
  const json marks = read_svg(plot::render_svg(plot::vega_spec_column(
      {sample_line_chart(), p, sample_heatmap(), sample_image_grid(), sample_scatter()}, options)));

  // A line chart: three series (one smoothed, with a band), a rule and a span.
  EXPECT_EQ(count(marks, "loss_raw_lines"), 3u) << marks.dump();
  EXPECT_EQ(count(marks, "loss_smoothed_lines"), 1u);
  EXPECT_EQ(count(marks, "loss_band_areas"), 1u);
  EXPECT_EQ(count(marks, "loss_rule_marks"), 1u);
  EXPECT_EQ(count(marks, "loss_span_marks"), 1u);
  EXPECT_EQ(count(marks, "loss_hover"), 0u);
  for (const json& item : marks["loss_raw_lines"]) EXPECT_EQ(item["tag"], "path");

  // A contour plot: one polygon per level, a line and a current position per path, the start
  // they share and the known point.
  EXPECT_EQ(count(marks, "surface_contours"), static_cast<size_t>(p.levels));
  EXPECT_EQ(count(marks, "surface_path"), 2u);
  EXPECT_EQ(count(marks, "surface_head"), 2u);
  EXPECT_EQ(count(marks, "surface_start"), 1u);
  EXPECT_EQ(count(marks, "surface_known"), 1u);

  // A heatmap: a cell per value, the hatch over the one missing, text in the others.
  EXPECT_EQ(count(marks, "sweep_cell"), 12u);
  EXPECT_EQ(count(marks, "sweep_hatch"), 1u);
  EXPECT_EQ(count(marks, "sweep_text"), 11u);

  // An image grid: an <image> per image holding its PNG, a caption under each, two row titles.
  ASSERT_EQ(count(marks, "recon_image"), 6u);
  for (const json& item : marks["recon_image"]) {
    EXPECT_EQ(item["tag"], "image");
    EXPECT_EQ(item["href"].get<std::string>().rfind("data:image/png;base64,", 0), 0u);
  }
  EXPECT_EQ(count(marks, "recon_caption"), 6u);
  EXPECT_EQ(count(marks, "recon_row_title"), 2u);

  // A scatter: a symbol per point.
  EXPECT_EQ(count(marks, "codes_point"), 40u);
}

TEST(PlotRender, TenThousandPointScatter) {
  SKIP_WITHOUT_VEGA();
  plot::SpecOptions options;
  options.interactive = false;
  const std::string svg = plot::render_svg(plot::vega_spec(sample_scatter(10000), options));
  const json marks = read_svg(svg);
  EXPECT_EQ(count(marks, "codes_point"), 10000u);
  for (const json& item : marks["codes_point"]) ASSERT_EQ(item["tag"], "path");
}

TEST(PlotRender, ImageGridPixelsStaySharpInPng) {
  // rsvg-convert smooths any image it enlarges (it ignores image-rendering), so static images
  // embed their pixels already enlarged: the PNG holds only the image's own two values, black
  // and white, and no grey in between at the edge.
  SKIP_WITHOUT_VEGA();
  if (!plot::find_program("rsvg-convert")) GTEST_SKIP() << "no rsvg-convert (scripts/setup)";
  plot::ImageGrid g;
  g.id = "edge";
  g.scale = 8;
  plot::Image im;
  im.width = 3;
  im.height = 2;
  im.bytes = {0, 255, 0, 255, 0, 255};
  g.images = {im};
  const fs::path dir = fs::temp_directory_path() / "descent_plot_sharp";
  fs::create_directories(dir);
  plot::write_figure(g, dir / "edge.png", json::object());
  const std::string png = descent::read_file(dir / "edge.png");
  fs::remove_all(dir);
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_memory(&image, png.data(), png.size())) << image.message;
  image.format = PNG_FORMAT_GRAY;
  std::vector<uint8_t> pixels(PNG_IMAGE_SIZE(image));
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) << image.message;
  size_t black = 0, grey = 0;
  for (uint8_t p : pixels) {
    black += p == 0;
    grey += p > 0 && p < 255;
  }
  EXPECT_EQ(black, 3u * 16 * 16);  // three 8 x 8 blocks at zoom 2
  EXPECT_EQ(grey, 0u);
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

}  // namespace test_plot_render
