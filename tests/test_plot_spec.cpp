// The Vega spec builders (plot/figure.h): the structure of line charts and contour plots (data
// sizes, signals, scales, marks), the checks on bad figures, and the pieces under them: contour
// levels, the debiased moving average, the palette and number formatting.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "descent/plot/levels.h"
#include "descent/plot/numbers.h"
#include "descent/plot/palette.h"
#include "descent/plot/smoothing.h"
#include "plot_fixtures.h"
#include "throws_with.h"

namespace test_plot_spec {

using descent::testutil::throws_with;
using nlohmann::json;
using namespace plot_test;
namespace plot = descent::plot;

std::vector<std::string> signal_names(const json& spec) {
  std::vector<std::string> names;
  for (const json& s : spec["signals"]) names.push_back(s["name"]);
  return names;
}

size_t rows_of_trace(const json& values, int trace) {
  return static_cast<size_t>(
      std::count_if(values.begin(), values.end(), [&](const json& r) { return r["t"] == trace; }));
}

// Every mark's type and name, depth first.
void collect_marks(const json& spec, std::vector<std::string>& out) {
  if (!spec.contains("marks")) return;
  for (const json& m : spec["marks"]) {
    out.push_back(m["type"].get<std::string>() + ":" + m.value("name", ""));
    collect_marks(m, out);
  }
}

TEST(LineChartSpec, DataScalesAndSignalsFollowTheSeries) {
  const plot::LineChart c = sample_line_chart();
  plot::SpecOptions options;
  options.smoothing = 0.5;
  const json spec = plot::vega_spec(c, options);
  EXPECT_EQ(spec["$schema"], "https://vega.github.io/schema/vega/v6.json");
  EXPECT_EQ(spec["width"], c.width);
  EXPECT_EQ(spec["height"], c.height);
  EXPECT_EQ(spec["title"]["text"], c.title);

  // Signals: smoothing and the log switch; no alternative x without x_alt.
  EXPECT_EQ(signal_names(spec), (std::vector<std::string>{"smoothing", "loss_log_y"}));
  EXPECT_EQ(named(spec, "signals", "smoothing")["value"], 0.5);
  EXPECT_EQ(named(spec, "signals", "loss_log_y")["value"], false);

  // One row per point, tagged with its trace; the smoothed copy of the smooth series is trace 3.
  const json& rows = named(spec, "data", "loss_series")["values"];
  ASSERT_EQ(rows.size(), 12u + 8u + 12u);
  EXPECT_EQ(rows_of_trace(rows, 0), 12u);
  EXPECT_EQ(rows_of_trace(rows, 1), 8u);
  EXPECT_EQ(rows_of_trace(rows, 2), 12u);
  EXPECT_EQ(rows[12]["x"], c.series[1].x[0]);
  EXPECT_EQ(rows[12]["y"], c.series[1].y[0]);
  const json& smoothed = named(spec, "data", "loss_smoothed")["values"];
  ASSERT_EQ(smoothed.size(), 12u);
  EXPECT_EQ(rows_of_trace(smoothed, 3), 12u);
  const std::vector<double> expected = plot::debiased_ema(c.series[0].y, 0.5);
  // Written to float32 precision: the float's shortest decimal.
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(smoothed[i]["y"].get<double>(), plot::float_decimal(static_cast<float>(expected[i])));
  EXPECT_EQ(named(spec, "data", "loss_bands")["values"].size(), 12u);
  EXPECT_EQ(named(spec, "data", "loss_rules")["values"].size(), 1u);
  EXPECT_EQ(named(spec, "data", "loss_spans")["values"].size(), 1u);

  // Colours by colour key; faint and smoothed traces styled; names for tooltips.
  const json& stroke = named(spec, "scales", "loss_stroke");
  EXPECT_EQ(stroke["domain"], json({0, 1, 2, 3}));
  EXPECT_EQ(stroke["range"], json({plot::color_for("adam"), plot::color_for("sgd"),
                                   plot::color_for("adam"), plot::color_for("adam")}));
  const json& width = named(spec, "scales", "loss_width")["range"];
  const json& opacity = named(spec, "scales", "loss_opacity")["range"];
  EXPECT_LT(width[2].get<double>(), width[0].get<double>());
  EXPECT_LT(opacity[2].get<double>(), opacity[0].get<double>());
  EXPECT_EQ(named(spec, "scales", "loss_name")["range"][3], "adam (smoothed)");
  // The legend names each non-faint series once.
  EXPECT_EQ(named(spec, "scales", "loss_legend")["domain"], json({"adam", "sgd"}));
  ASSERT_EQ(spec["legends"].size(), 1u);

  std::vector<std::string> marks;
  collect_marks(spec, marks);
  for (const char* m : {"rect:loss_span_marks", "area:loss_band_areas", "line:loss_raw_lines",
                        "line:loss_smoothed_lines", "rule:loss_rule_marks", "symbol:loss_hover"})
    EXPECT_NE(std::find(marks.begin(), marks.end(), m), marks.end()) << m;
  // Static images need no hover targets.
  options.interactive = false;
  EXPECT_EQ(find_named(plot::vega_spec(c, options), "marks", "loss_hover"), nullptr);
}

TEST(LineChartSpec, SmoothingZeroDrawsNoSmoothedCopy) {
  plot::SpecOptions options;
  options.smoothing = 0;
  const json spec = plot::vega_spec(sample_line_chart(), options);
  EXPECT_TRUE(named(spec, "data", "loss_smoothed")["values"].empty());
}

TEST(LineChartSpec, LogAxisTicksAtDecadesOfThePositiveValues) {
  plot::LineChart c;
  c.id = "gn";
  c.log_y = true;
  plot::Series s;
  s.name = "run";
  s.x = {0, 1, 2, 3};
  s.y = {0, 0.02, 3, 450};  // 0 has no logarithm: a gap, not a domain bound
  c.series = {s};
  const json spec = plot::vega_spec(c);
  EXPECT_EQ(named(spec, "signals", "gn_log_y")["value"], true);
  const std::string domain = named(spec, "scales", "gn_y")["domain"]["signal"];
  // log10(0.02) = -1.7 -> -2, log10(450) = 2.65 -> 3; linear: the data's range.
  EXPECT_EQ(domain, "gn_log_y ? [-2.0,3.0] : [0.0,450.0]");
  const std::string values = spec["axes"][1]["values"]["signal"];
  EXPECT_EQ(values, "gn_log_y ? [-2.0,-1.0,0.0,1.0,2.0,3.0] : null");
  // Over two decades or fewer, ticks at 1, 2 and 5 of each.
  c.series[0].y = {0.5, 1, 2, 4};
  const std::string short_range = plot::vega_spec(c)["axes"][1]["values"]["signal"];
  EXPECT_NE(short_range.find(std::to_string(std::log10(2.0)).substr(0, 6)), std::string::npos)
      << short_range;
}

TEST(LineChartSpec, AlternativeXSwitchesFieldDomainAndTitle) {
  plot::LineChart c;
  c.id = "acc";
  c.x_title = "epoch";
  c.x_alt_title = "wall time (s)";
  plot::Series s;
  s.name = "run";
  s.x = {1, 2, 3};
  s.x_alt = {10, 20, 40};
  s.y = {0.5, 0.6, 0.7};
  c.series = {s};
  c.rules = {{2.5, "best"}};
  const json spec = plot::vega_spec(c);
  EXPECT_EQ(named(spec, "signals", "acc_x_alt")["value"], false);
  EXPECT_EQ(spec["usermeta"]["descent"]["x_alt"], true);
  EXPECT_EQ(named(spec, "scales", "acc_x")["domain"]["signal"],
            "acc_x_alt ? [10.0,40.0] : [1.0,3.0]");
  EXPECT_EQ(spec["axes"][0]["title"]["signal"], "acc_x_alt ? \"wall time (s)\" : \"epoch\"");
  // The rule's place in wall time, interpolated along the series: between (2, 20) and (3, 40).
  EXPECT_DOUBLE_EQ(named(spec, "data", "acc_rules")["values"][0]["xa"].get<double>(), 30.0);
  EXPECT_EQ(named(spec, "data", "acc_series")["values"][2]["xa"], 40.0);
}

TEST(LineChartSpec, NonFiniteValuesBecomeGaps) {
  plot::LineChart c;
  c.id = "l";
  plot::Series s;
  s.name = "diverged";
  s.x = {0, 1, 2};
  s.y = {1, std::numeric_limits<double>::infinity(), std::nan("")};
  c.series = {s};
  const json rows = named(plot::vega_spec(c), "data", "l_series")["values"];
  EXPECT_EQ(rows[0]["y"], 1.0);
  EXPECT_TRUE(rows[1]["y"].is_null());
  EXPECT_TRUE(rows[2]["y"].is_null());
}

TEST(LineChartSpec, InconsistentChartsAreRefusedNamingFigureAndField) {
  plot::LineChart c = sample_line_chart("train");
  c.series[1].y.pop_back();
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { plot::vega_spec(c); }, {"figure 'train'", "series[1] 'sgd'.y", "7", "8"}));
  c = sample_line_chart("train");
  c.series[0].hi.clear();
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot::vega_spec(c); },
                                                 {"figure 'train'", ".hi", "lo and hi"}));
  c = sample_line_chart("train");
  c.series[0].x_alt = {1, 2};
  EXPECT_TRUE(
      throws_with<std::invalid_argument>([&] { plot::vega_spec(c); }, {".x_alt", "2 values"}));
  c = sample_line_chart("train");
  c.spans[0].x1 = 1;
  EXPECT_TRUE(
      throws_with<std::invalid_argument>([&] { plot::vega_spec(c); }, {"spans[0]", "x0 <= x1"}));
  c = sample_line_chart("train loss");
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot::vega_spec(c); },
                                                 {"figure 'train loss'", "id", "identifier"}));
  c = sample_line_chart("train");
  c.log_x = true;
  c.series[0].x[0] = 0;
  EXPECT_TRUE(
      throws_with<std::invalid_argument>([&] { plot::vega_spec(c); }, {"log_x", "positive"}));
  plot::SpecOptions options;
  options.smoothing = 1;
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { plot::vega_spec(sample_line_chart("t"), options); }, {"figure 't'", "smoothing"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot::figure_data(c); }, {"log_x"}));
}

TEST(ContourSpec, GridLevelsPathsAndStepSignal) {
  const plot::ContourPlot p = sample_contour();
  const json spec = plot::vega_spec(p);
  // The grid goes in top row first (screen order), every value once.
  const json& grid = named(spec, "data", "surface_grid");
  const json& g = grid["values"][0];
  EXPECT_EQ(g["width"], 11);
  EXPECT_EQ(g["height"], 5);
  ASSERT_EQ(g["values"].size(), 55u);
  EXPECT_EQ(g["values"][0], p.z[4 * 11]);  // top-left: row ny-1, column 0
  EXPECT_EQ(g["values"][54], p.z[10]);     // bottom-right: row 0, column nx-1
  // Levels are computed here and passed explicitly.
  const json& iso = grid["transform"][0];
  EXPECT_EQ(iso["type"], "isocontour");
  EXPECT_EQ(iso["thresholds"], json(plot::contour_thresholds(p.z, p.levels, false)));
  EXPECT_EQ(iso["thresholds"].size(), 4u);
  EXPECT_EQ(named(spec, "scales", "surface_level")["range"].size(), 4u);

  // The step signal starts at the last step; every path point is a row.
  EXPECT_EQ(named(spec, "signals", "step")["value"], 3);
  EXPECT_EQ(spec["usermeta"]["descent"]["max_step"], 3);
  const json& rows = named(spec, "data", "surface_paths")["values"];
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[3],
            json({{"p", 0}, {"s", 3}, {"x", 0.3}, {"y", 1.3}, {"loss", 0.3}, {"lr", 0.1}}));
  EXPECT_EQ(named(spec, "data", "surface_shown")["transform"][0]["expr"], "datum.s <= step");
  EXPECT_NE(named(spec, "data", "surface_heads")["transform"][0]["expr"].get<std::string>().find(
                "min(step, scale('surface_last', datum.p))"),
            std::string::npos);
  EXPECT_EQ(named(spec, "scales", "surface_last")["range"], json({3, 1}));
  // Colours by colour key (the path's name when it has none); both paths start at one point.
  EXPECT_EQ(named(spec, "scales", "surface_color")["range"],
            json({plot::color_for("sgd"), plot::color_for("adam")}));
  EXPECT_EQ(named(spec, "data", "surface_starts")["values"].size(), 1u);
  EXPECT_EQ(named(spec, "data", "surface_points")["values"][0]["label"], "edge");
  for (const char* m : {"surface_contours", "surface_path_lines", "surface_known", "surface_start",
                        "surface_head", "surface_hover"})
    EXPECT_NE(find_named(spec, "marks", m), nullptr) << m;
  // The plot keeps the domain's aspect ratio: 1 wide, 2 high.
  EXPECT_EQ(spec["height"], 2 * p.width);
}

TEST(ContourSpec, FarPointsAreDrawnWhereTheirSegmentLeavesTheFarBox) {
  // The window is [0, 1] x [0, 2]; the far box ten windows beyond: [-10, 11] x [-20, 22].
  plot::ContourPlot p = sample_contour();
  p.paths[1].x = {0.5, 1e22, -1e22};
  p.paths[1].y = {1, 1, 1};
  p.paths[1].loss = {1, 2, 3};
  p.paths[1].lr = {0.1, 0.1, 0.1};
  const json rows = named(plot::vega_spec(p), "data", "surface_paths")["values"];
  const json& out = rows[5];  // path 1, step 1: along its segment from (0.5, 1)
  EXPECT_EQ(out["x"], 1e22);  // the exact point stays for the readouts
  EXPECT_DOUBLE_EQ(out["dx"].get<double>(), 11.0);
  EXPECT_DOUBLE_EQ(out["dy"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(rows[6]["dx"].get<double>(), -10.0);  // both ends far: clamped
  EXPECT_FALSE(rows[4].contains("dx"));                  // inside: drawn where it is
}

TEST(ContourSpec, InconsistentPlotsAreRefusedNamingFigureAndField) {
  plot::ContourPlot p = sample_contour();
  p.z.pop_back();
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot::vega_spec(p); },
                                                 {"figure 'surface'", "z", "54", "55"}));
  p = sample_contour();
  p.z[13] = std::nan("");
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot::vega_spec(p); },
                                                 {"z[13]", "row 1, column 2"}));
  p = sample_contour();
  p.nx = 1;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot::vega_spec(p); }, {"nx, ny", "2 x 2"}));
  p = sample_contour();
  p.paths[1].lr = {0.1};
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot::vega_spec(p); },
                                                 {"paths[1] 'adam'.lr", "1 values", "expected 2"}));
  p = sample_contour();
  p.paths[0].x.clear();
  p.paths[0].y.clear();
  EXPECT_TRUE(
      throws_with<std::invalid_argument>([&] { plot::vega_spec(p); }, {"paths[0]", "empty"}));
  p = sample_contour();
  p.x_max = p.x_min;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot::vega_spec(p); }, {"x_min, x_max"}));
  p = sample_contour();
  p.levels = 0;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot::vega_spec(p); }, {"levels", "0"}));
}

TEST(FigureColumn, StacksFiguresEachInItsOwnScope) {
  const json spec = plot::vega_spec_column({sample_contour(), sample_line_chart()}, {});
  EXPECT_EQ(spec["layout"]["columns"], 1);
  ASSERT_EQ(spec["marks"].size(), 2u);
  EXPECT_EQ(spec["marks"][0]["name"], "surface");
  EXPECT_EQ(spec["marks"][1]["name"], "loss");
  // Each group holds its figure's signals, data and scales.
  EXPECT_EQ(spec["marks"][1]["signals"], plot::vega_spec(sample_line_chart())["signals"]);
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] {
        plot::vega_spec_column({sample_line_chart(), sample_line_chart()}, {});
      },
      {"figure 'loss'", "unique"}));
}

TEST(FigureData, HoldsTheNumbersWithoutStyling) {
  const plot::ContourPlot p = sample_contour();
  const json data = plot::figure_data(p);
  EXPECT_EQ(data["kind"], "contour_plot");
  EXPECT_EQ(data["grid"]["z"], json(p.z));
  EXPECT_EQ(data["paths"][0]["x"], json(p.paths[0].x));
  const json line = plot::figure_data(sample_line_chart());
  EXPECT_EQ(line["series"][0]["hi"], json(sample_line_chart().series[0].hi));
  EXPECT_EQ(line["rules"][0]["label"], "best epoch");
}

TEST(ContourLevels, LinearLevelsAreEvenBandCentres) {
  const std::vector<double> z = {0, 1, 2, 10};
  const auto t = plot::contour_thresholds(z, 5, false);
  ASSERT_EQ(t.size(), 5u);
  for (size_t k = 0; k < t.size(); ++k) EXPECT_DOUBLE_EQ(t[k], 10.0 * (k + 0.5) / 5);
  EXPECT_TRUE(plot::contour_thresholds({3, 3, 3}, 5, false).empty());
}

TEST(ContourLevels, LogLevelsAreGeometricAboveTheMinimum) {
  // A Rosenbrock grid: values from 0 to ~2500, most of the plot far above the valley.
  std::vector<double> z;
  for (int j = 0; j < 60; ++j)
    for (int i = 0; i < 60; ++i) {
      const double x = -2 + 4.0 * i / 59, y = -1 + 4.0 * j / 59;
      z.push_back((1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x));
    }
  EXPECT_TRUE(plot::calls_for_log_levels(z));
  const double lo = *std::min_element(z.begin(), z.end());
  const double hi = *std::max_element(z.begin(), z.end());
  const auto t = plot::contour_thresholds(z, 12, true);
  ASSERT_EQ(t.size(), 12u);
  EXPECT_GT(t.front(), lo);
  EXPECT_LT(t.back(), hi);
  const double ratio = (t[1] - lo) / (t[0] - lo);
  EXPECT_GT(ratio, 1.5);
  for (size_t k = 1; k < t.size(); ++k) EXPECT_NEAR((t[k] - lo) / (t[k - 1] - lo), ratio, 1e-9);
  // A well-conditioned quadratic does not call for them.
  std::vector<double> q;
  for (int j = 0; j < 60; ++j)
    for (int i = 0; i < 60; ++i) {
      const double x = -2 + 4.0 * i / 59, y = -2 + 4.0 * j / 59;
      q.push_back(0.5 * (x * x + 10 * y * y));
    }
  EXPECT_FALSE(plot::calls_for_log_levels(q));
}

TEST(Smoothing, DebiasedMovingAverage) {
  // By hand, a = 0.5: m = 0.5, 1.25, 2.125; debiased by 1 - 0.5^k.
  const auto s = plot::debiased_ema({1, 2, 3}, 0.5);
  EXPECT_DOUBLE_EQ(s[0], 1.0);
  EXPECT_DOUBLE_EQ(s[1], 1.25 / 0.75);
  EXPECT_DOUBLE_EQ(s[2], 2.125 / 0.875);
  // Debiasing keeps a constant constant from the first point; a = 0 is the raw series.
  for (double v : plot::debiased_ema({4, 4, 4, 4}, 0.9)) EXPECT_DOUBLE_EQ(v, 4.0);
  EXPECT_EQ(plot::debiased_ema({1, 5, 2}, 0), (std::vector<double>{1, 5, 2}));
  // A gap passes through and does not enter the average.
  const auto g = plot::debiased_ema({1, std::nan(""), 3}, 0.5);
  EXPECT_TRUE(std::isnan(g[1]));
  EXPECT_DOUBLE_EQ(g[2], (0.25 + 1.5) / 0.75);  // as if the gap were not there
}

TEST(Palette, OkabeItoWithFixedSlotsForCommonOptimizers) {
  const auto& colors = plot::palette();
  ASSERT_EQ(colors.size(), 8u);
  EXPECT_EQ(std::set<std::string>(colors.begin(), colors.end()).size(), 8u);
  std::set<std::string> fixed;
  for (const char* name : {"sgd", "adam", "adamw", "rmsprop", "adagrad", "nadam", "lbfgs", "lion"})
    fixed.insert(plot::color_for(name));
  EXPECT_EQ(fixed.size(), 8u);  // the usual race never shares a colour
  // Other keys hash to a palette colour, the same every time, never the faint yellow.
  for (const char* key : {"radam", "cosine:t_max=10", "muon", "my run"}) {
    const std::string c = plot::color_for(key);
    EXPECT_NE(std::find(colors.begin(), colors.end(), c), colors.end()) << key;
    EXPECT_NE(c, "#F0E442") << key;
    EXPECT_EQ(plot::color_for(key), c);
  }
  EXPECT_EQ(plot::color_for("#123abc"), "#123abc");
}

TEST(Palette, DistinctKeysGiveRepeatedNamesFreeColours) {
  const auto keys = plot::distinct_color_keys({"sgd", "sgd", "adam", "sgd"});
  EXPECT_EQ(keys[0], "sgd");
  EXPECT_EQ(keys[2], "adam");
  std::set<std::string> used;
  for (const auto& k : keys) used.insert(plot::color_for(k));
  EXPECT_EQ(used.size(), 4u);
  // Free colours come in palette order, skipping those taken.
  EXPECT_EQ(keys[1], plot::palette()[2]);
  // Two names whose fixed slots coincide are told apart too.
  const auto shared = plot::distinct_color_keys({"nadam", "momentum"});
  EXPECT_NE(plot::color_for(shared[0]), plot::color_for(shared[1]));
}

TEST(FigureNumbers, FloatsAsTheirShortestDecimals) {
  EXPECT_EQ(plot::float_decimal(0.1f), 0.1);
  EXPECT_EQ(json(plot::float_decimal(0.1f)).dump(), "0.1");
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1e6f, 1e6f);
  for (int i = 0; i < 1000; ++i) {
    const float f = u(rng) * std::pow(10.0f, static_cast<float>(i % 13 - 9));
    EXPECT_EQ(static_cast<float>(plot::float_decimal(f)), f);
    EXPECT_LE(json(plot::float_decimal(f)).dump().size(), 15u);
  }
  EXPECT_TRUE(plot::json_number(std::nan("")).is_null());
  EXPECT_TRUE(plot::json_number(-std::numeric_limits<double>::infinity()).is_null());
  // Line charts' values: a double mean to float32 precision; beyond float's range as it is.
  EXPECT_EQ(plot::json_float_number(0.7246667854487896).dump(), "0.7246668");
  EXPECT_EQ(plot::json_float_number(1e300).get<double>(), 1e300);
  EXPECT_TRUE(plot::json_float_number(std::nan("")).is_null());
}

}  // namespace test_plot_spec
