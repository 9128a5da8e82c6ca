// The heatmap, image grid and scatter figure kinds (plot/figure.h): their Vega specs (data,
// scales, legends, marks), the numbers figure_data gives back, the checks on bad figures, and the
// PNG encoding under the image grid (decoded again with libpng).
#include <gtest/gtest.h>
#include <png.h>

#include <cmath>
#include <regex>

#include "descent/plot/page.h"
#include "descent/plot/palette.h"
#include "descent/plot/png.h"
#include "plot_fixtures.h"
#include "throws_with.h"

namespace test_plot_kinds {

using descent::testutil::throws_with;
using nlohmann::json;
using namespace plot_test;
namespace plot = descent::plot;

struct Decoded {
  int64_t width = 0, height = 0;
  int channels = 0;
  std::vector<uint8_t> bytes;
};

Decoded decode_png(const std::string& file) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, file.data(), file.size()))
    throw std::runtime_error(std::string("not a PNG: ") + image.message);
  Decoded out;
  out.width = image.width;
  out.height = image.height;
  out.channels = PNG_IMAGE_SAMPLE_CHANNELS(image.format);
  out.bytes.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.bytes.data(), 0, nullptr))
    throw std::runtime_error(std::string("bad PNG: ") + image.message);
  return out;
}

std::string unbase64(const std::string& text) {
  const std::string digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int have = 0;
  for (char c : text) {
    if (c == '=') break;
    bits = bits << 6 | static_cast<uint32_t>(digits.find(c));
    have += 6;
    if (have >= 8) {
      have -= 8;
      out += static_cast<char>((bits >> have) & 0xff);
    }
  }
  return out;
}

Decoded decode_data_url(const std::string& url) {
  const std::string prefix = "data:image/png;base64,";
  if (url.rfind(prefix, 0) != 0) throw std::runtime_error("not a PNG data URL: " + url);
  return decode_png(unbase64(url.substr(prefix.size())));
}

std::vector<std::string> mark_names(const json& spec) {
  std::vector<std::string> out;
  for (const json& m : spec["marks"])
    out.push_back(m["type"].get<std::string>() + ":" + m.value("name", ""));
  return out;
}

// ---- PNG ----

TEST(Png, EncodesGreyAndRgbThatDecodeToTheSameBytes) {
  const std::vector<uint8_t> grey = {0, 50, 100, 150, 200, 255};
  const Decoded g = decode_png(plot::encode_png(3, 2, 1, grey));
  EXPECT_EQ(g.width, 3);
  EXPECT_EQ(g.height, 2);
  EXPECT_EQ(g.channels, 1);
  EXPECT_EQ(g.bytes, grey);
  std::vector<uint8_t> rgb;
  for (int k = 0; k < 2 * 3 * 3; ++k) rgb.push_back(static_cast<uint8_t>(k * 13));
  const Decoded c = decode_png(plot::encode_png(2, 3, 3, rgb));
  EXPECT_EQ(c.channels, 3);
  EXPECT_EQ(c.bytes, rgb);
  EXPECT_EQ(plot::png_data_url("\x89PNG"), "data:image/png;base64,iVBORw==");
  EXPECT_EQ(plot::png_data_url("ab"), "data:image/png;base64,YWI=");
  EXPECT_EQ(plot::png_data_url("abc"), "data:image/png;base64,YWJj");
}

TEST(Png, BadSizesAndChannelsAreRefused) {
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] {
        plot::encode_png(2, 2, 2, {1, 2, 3, 4});
      },
      {"2 channels", "1 for grey or 3 for RGB"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] {
        plot::encode_png(2, 2, 1, {1, 2, 3});
      },
      {"3 bytes", "= 4"}));
  EXPECT_TRUE(
      throws_with<std::invalid_argument>([] { plot::encode_png(0, 2, 1, {}); }, {"0 x 2 pixels"}));
}

// ---- Heatmap ----

TEST(HeatmapSpec, OneCellPerValueOnBandScalesWithALogColourLegend) {
  const plot::Heatmap m = sample_heatmap();
  const json spec = plot::vega_spec(m);
  EXPECT_EQ(spec["usermeta"]["descent"]["kind"], "heatmap");
  EXPECT_EQ(spec["usermeta"]["descent"]["missing"], 1);
  EXPECT_EQ(spec["width"], 320);
  EXPECT_EQ(spec["height"], 240);  // square cells: 320 * 3 / 4

  const json& cells = named(spec, "data", "sweep_cells")["values"];
  ASSERT_EQ(cells.size(), 12u);
  EXPECT_EQ(cells[5], (json{{"i", 1}, {"j", 1}, {"v", 0.5}}));  // column 1 of row 1
  EXPECT_TRUE(cells[3]["v"].is_null());                         // the diverged run
  EXPECT_EQ(named(spec, "data", "sweep_missing")["transform"][0]["expr"], "!isValid(datum.v)");

  EXPECT_EQ(named(spec, "scales", "sweep_x")["domain"], json({0, 1, 2, 3}));
  EXPECT_EQ(named(spec, "scales", "sweep_y")["domain"], json({0, 1, 2}));
  EXPECT_EQ(named(spec, "scales", "sweep_y")["range"], json({240, 0}));  // row 0 at the bottom
  const json& color = named(spec, "scales", "sweep_color");
  EXPECT_EQ(color["type"], "log");
  EXPECT_EQ(color["domain"], json({0.2, 1.8}));  // the finite values' extent
  EXPECT_EQ(color["range"]["scheme"], "viridis");
  EXPECT_EQ(named(spec, "scales", "sweep_x_label")["range"], json({1e-3, 1e-2, 0.1, 1}));
  EXPECT_EQ(named(spec, "scales", "sweep_y_label")["range"], json({"32", "128", "512"}));
  EXPECT_EQ(named(spec, "scales", "sweep_missing_key")["domain"], json({"diverged"}));

  ASSERT_EQ(spec["legends"].size(), 2u);  // the gradient, and the missing cells' entry
  EXPECT_EQ(spec["legends"][0]["type"], "gradient");
  EXPECT_EQ(spec["legends"][0]["title"], "loss");
  EXPECT_EQ(spec["legends"][1]["fill"], "sweep_missing_key");
  EXPECT_EQ(spec["axes"][0]["title"], "learning rate");
  EXPECT_EQ(spec["axes"][0]["values"], json({0, 1, 2, 3}));

  EXPECT_EQ(mark_names(spec),
            (std::vector<std::string>{"rect:sweep_cell", "path:sweep_hatch", "text:sweep_text"}));
  const json& cell = named(spec, "marks", "sweep_cell")["encode"]["update"];
  const std::string tip = cell["tooltip"]["signal"];
  for (const char* part : {"\"learning rate\"", "\"batch size\"", "\"loss\"", "\"diverged\""})
    EXPECT_NE(tip.find(part), std::string::npos) << part << " in " << tip;
  EXPECT_EQ(named(spec, "marks", "sweep_hatch")["from"]["data"], "sweep_missing");
  EXPECT_EQ(named(spec, "marks", "sweep_text")["from"]["data"], "sweep_valued");
}

TEST(HeatmapSpec, StaticImagesHaveNoReadoutAndNoTextUnlessAsked) {
  plot::Heatmap m = sample_heatmap();
  m.cell_text = false;
  m.values[3] = 0.7;
  plot::SpecOptions options;
  options.interactive = false;
  const json spec = plot::vega_spec(m, options);
  EXPECT_FALSE(named(spec, "marks", "sweep_cell")["encode"]["update"].contains("tooltip"));
  EXPECT_EQ(find_named(spec, "marks", "sweep_text"), nullptr);
  EXPECT_EQ(spec["legends"].size(), 1u);  // nothing missing, no entry for it
}

TEST(HeatmapSpec, DivergingColoursAreSymmetricAboutTheCentre) {
  plot::Heatmap m = sample_heatmap();
  m.log_color = false;
  m.values = {-1, 3, 0, 0.5, std::nan(""), 2, 1, 1, 1, 1, 1, 1};
  m.center = 0;
  json color = named(plot::vega_spec(m), "scales", "sweep_color");
  EXPECT_EQ(color["type"], "linear");
  EXPECT_EQ(color["domain"], json({-3, 3}));
  EXPECT_EQ(color["range"]["scheme"], "blueorange");
  // Geometrically with log colours: 1/8 .. 8 about 1 for values 0.5 .. 8.
  m.log_color = true;
  m.center = 1;
  m.values = {0.5, 8, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1};
  color = named(plot::vega_spec(m), "scales", "sweep_color");
  EXPECT_EQ(color["type"], "log");
  EXPECT_EQ(color["domain"], json({0.125, 8}));
}

TEST(HeatmapSpec, HatchStaysInsideItsCell) {
  plot::Heatmap m = sample_heatmap();
  m.width = 200;
  m.height = 90;  // cells of 50 x 30
  const std::string d =
      named(plot::vega_spec(m), "marks", "sweep_hatch")["encode"]["update"]["path"]["value"];
  const std::regex point(R"((-?[0-9.]+),(-?[0-9.]+))");
  size_t n = 0;
  for (auto it = std::sregex_iterator(d.begin(), d.end(), point); it != std::sregex_iterator();
       ++it, ++n) {
    EXPECT_GE(std::stod((*it)[1]), 0);
    EXPECT_LE(std::stod((*it)[1]), 50);
    EXPECT_GE(std::stod((*it)[2]), 0);
    EXPECT_LE(std::stod((*it)[2]), 30);
  }
  EXPECT_EQ(n, 2u * 15);  // a diagonal every 5 pixels across 50 + 30
}

TEST(HeatmapSpec, LongNumericSidesThinTheirLabelsButNamesKeepEveryOne) {
  plot::Heatmap m;
  m.id = "landscape";
  m.x.values = range_values(-1, 0.04, 51);
  m.y.categories = {"a", "b"};
  m.values.assign(102, 1.0);
  m.width = 480;
  const json spec = plot::vega_spec(m);
  const json& ticks = spec["axes"][0]["values"];
  EXPECT_LE(ticks.size(), 11u);  // one label per 48 pixels at most
  EXPECT_GE(ticks.size(), 5u);
  EXPECT_EQ(ticks[0], 0);
  EXPECT_EQ(spec["axes"][1]["values"], json({0, 1}));
  EXPECT_EQ(spec["axes"][0]["title"], "x");  // untitled sides get a name for the readout
  EXPECT_EQ(spec["axes"][1]["title"], "y");
}

TEST(HeatmapSpec, InconsistentHeatmapsAreRefusedNamingFigureAndField) {
  using E = std::invalid_argument;
  auto bad = [](auto change, std::initializer_list<std::string> parts) {
    plot::Heatmap m = sample_heatmap();
    change(m);
    return throws_with<E>([&] { plot::vega_spec(m); }, parts);
  };
  EXPECT_TRUE(bad([](plot::Heatmap& m) { m.values.pop_back(); },
                  {"figure 'sweep'", "values", "11 values, expected 4 x 3 = 12"}));
  EXPECT_TRUE(bad(
      [](plot::Heatmap& m) {
        m.x.categories = {"a", "b", "c", "d"};
      },
      {"x.values, x.categories", "both given"}));
  EXPECT_TRUE(bad([](plot::Heatmap& m) { m.y.categories.clear(); },
                  {"y.values, y.categories", "neither given"}));
  EXPECT_TRUE(bad([](plot::Heatmap& m) { m.x.values[2] = INFINITY; },
                  {"x.values[2]", "not a finite number"}));
  EXPECT_TRUE(bad([](plot::Heatmap& m) { m.values[5] = 0; },
                  {"values[5]", "row 1, column 1", "log_color needs values > 0"}));
  EXPECT_TRUE(bad([](plot::Heatmap& m) { m.center = -1; }, {"center", "> 0 with log_color"}));
  EXPECT_TRUE(bad([](plot::Heatmap& m) { m.width = 0; }, {"width", "expected > 0"}));
  EXPECT_TRUE(bad([](plot::Heatmap& m) { m.id = "a b"; }, {"id", "identifier"}));
}

// ---- Image grid ----

TEST(ImageGridSpec, ImagesArePngsPlacedInRowsWithCaptionsAndRowTitles) {
  const plot::ImageGrid g = sample_image_grid();
  const json spec = plot::vega_spec(g);
  EXPECT_EQ(spec["usermeta"]["descent"]["kind"], "image_grid");
  // Three columns of 24-pixel images 6 apart; rows of 16 + a caption line, 6 apart.
  EXPECT_EQ(spec["width"], 3 * 24 + 2 * 6);
  EXPECT_EQ(spec["height"], 2 * (16 + 14) + 6);
  const json& images = named(spec, "data", "recon_images")["values"];
  ASSERT_EQ(images.size(), 6u);
  EXPECT_EQ(images[4]["r"], 1);
  EXPECT_EQ(images[4]["c"], 1);
  EXPECT_EQ(images[4]["x"], 30);
  EXPECT_EQ(images[4]["y"], 36);
  EXPECT_EQ(images[4]["caption"], "class 1");

  // Each URL holds the image at its own size (the browser enlarges it without smoothing), its
  // floats rounded to bytes.
  const Decoded png = decode_data_url(images[4]["url"]);
  EXPECT_EQ(png.width, 6);
  EXPECT_EQ(png.height, 4);
  EXPECT_EQ(png.channels, 1);
  for (size_t k = 0; k < png.bytes.size(); ++k)
    EXPECT_EQ(png.bytes[k], std::lround(g.images[4].values[k] * 255.0f)) << "pixel " << k;

  const json& image = named(spec, "marks", "recon_image")["encode"]["update"];
  EXPECT_EQ(image["smooth"]["value"], false);
  EXPECT_EQ(image["width"]["value"], 24);
  EXPECT_EQ(image["height"]["value"], 16);
  EXPECT_TRUE(image.contains("tooltip"));
  EXPECT_EQ(mark_names(spec), (std::vector<std::string>{"image:recon_image", "text:recon_caption",
                                                        "text:recon_row_title"}));
  const json& titles = named(spec, "data", "recon_row_titles")["values"];
  EXPECT_EQ(titles,
            json({{{"y", 8}, {"title", "input"}}, {{"y", 44}, {"title", "reconstruction"}}}));
}

TEST(ImageGridSpec, StaticImagesEmbedEnlargedPixelsThatStaySharp) {
  // rsvg-convert smooths what it enlarges, so static images carry every image pixel as a block of
  // scale x ratio pixels of one value.
  plot::ImageGrid g;
  g.id = "rgb";
  g.columns = 2;
  g.scale = 2;
  plot::Image im;
  im.width = 2;
  im.height = 1;
  im.channels = 3;
  im.bytes = {255, 0, 0, 0, 0, 255};  // red, blue
  g.images = {im};
  plot::SpecOptions options;
  options.interactive = false;
  options.image_pixel_ratio = 3;
  const json spec = plot::vega_spec(g, options);
  EXPECT_EQ(spec["width"], 4);  // one image: the grid is one column wide
  const Decoded png = decode_data_url(named(spec, "data", "rgb_images")["values"][0]["url"]);
  ASSERT_EQ(png.width, 12);
  ASSERT_EQ(png.height, 6);
  ASSERT_EQ(png.channels, 3);
  for (int64_t y = 0; y < 6; ++y)
    for (int64_t x = 0; x < 12; ++x) {
      const uint8_t* p = &png.bytes[(y * 12 + x) * 3];
      const bool red = x < 6;
      EXPECT_EQ(p[0], red ? 255 : 0) << x << "," << y;
      EXPECT_EQ(p[2], red ? 0 : 255) << x << "," << y;
    }
  EXPECT_FALSE(named(spec, "marks", "rgb_image")["encode"]["update"].contains("tooltip"));
  EXPECT_EQ(mark_names(spec), (std::vector<std::string>{"image:rgb_image"}));  // no captions
}

TEST(ImageGridSpec, ValuesOutsideZeroToOneAreDrawnClampedAndKeptInTheData) {
  plot::ImageGrid g = sample_image_grid();
  g.images[0].values[0] = -0.25f;
  g.images[0].values[1] = 1.5f;
  const Decoded png =
      decode_data_url(named(plot::vega_spec(g), "data", "recon_images")["values"][0]["url"]);
  EXPECT_EQ(png.bytes[0], 0);
  EXPECT_EQ(png.bytes[1], 255);
  const json data = plot::figure_data(g);
  EXPECT_EQ(data["images"][0]["values"][0], -0.25);
  EXPECT_EQ(data["images"][0]["values"][1], 1.5);
  EXPECT_EQ(data["images"][0]["values"].size(), 24u);
  EXPECT_EQ(data["row_titles"], json({"input", "reconstruction"}));
}

TEST(ImageGridSpec, InconsistentGridsAreRefusedNamingFigureAndField) {
  using E = std::invalid_argument;
  auto bad = [](auto change, std::initializer_list<std::string> parts) {
    plot::ImageGrid g = sample_image_grid();
    change(g);
    return throws_with<E>([&] { plot::vega_spec(g); }, parts);
  };
  EXPECT_TRUE(
      bad([](plot::ImageGrid& g) { g.images.clear(); }, {"figure 'recon'", "images", "empty"}));
  EXPECT_TRUE(bad([](plot::ImageGrid& g) { g.columns = 0; }, {"columns", "at least 1"}));
  EXPECT_TRUE(bad([](plot::ImageGrid& g) { g.scale = 65; }, {"scale", "1 .. 64"}));
  EXPECT_TRUE(bad([](plot::ImageGrid& g) { g.images[2] = ramp_image(5, 4); },
                  {"images[2]", "5 x 4 pixels, but images[0] is 6 x 4"}));
  EXPECT_TRUE(bad([](plot::ImageGrid& g) { g.images[1].channels = 4; },
                  {"images[1].channels", "4 (expected 1 for grey or 3 for RGB)"}));
  EXPECT_TRUE(bad([](plot::ImageGrid& g) { g.images[1].bytes = {1}; },
                  {"images[1].values, images[1].bytes", "both given"}));
  EXPECT_TRUE(bad([](plot::ImageGrid& g) { g.images[1].values.clear(); },
                  {"images[1].values, images[1].bytes", "neither given"}));
  EXPECT_TRUE(bad([](plot::ImageGrid& g) { g.images[3].values.pop_back(); },
                  {"images[3].values", "23 samples, expected width * height * channels = 24"}));
  EXPECT_TRUE(bad([](plot::ImageGrid& g) { g.images[0].values[7] = NAN; },
                  {"images[0].values[7]", "not a finite number"}));
  EXPECT_TRUE(bad([](plot::ImageGrid& g) { g.row_titles.push_back("third"); },
                  {"row_titles", "3 titles, expected one per row (2) or none"}));
}

// ---- Scatter ----

TEST(ScatterSpec, PointsColouredAndShapedByCategoryWithOneLegend) {
  const plot::Scatter s = sample_scatter();
  const json spec = plot::vega_spec(s);
  EXPECT_EQ(spec["usermeta"]["descent"]["kind"], "scatter");
  EXPECT_EQ(spec["usermeta"]["descent"]["points"], 40);
  const json& points = named(spec, "data", "codes_points")["values"];
  ASSERT_EQ(points.size(), 40u);
  EXPECT_EQ(points[13]["c"], 3);
  EXPECT_EQ(points[13]["l"], "test image 13");
  EXPECT_EQ(points[13]["x"], s.x[13]);

  // Seven colours (Okabe-Ito without its yellow), then the shape changes.
  const json& colors = named(spec, "scales", "codes_color")["range"];
  ASSERT_EQ(colors.size(), 10u);
  EXPECT_EQ(colors[0], plot::palette()[0]);
  EXPECT_EQ(colors[7], colors[0]);
  for (const json& c : colors) EXPECT_NE(c, "#F0E442");
  const json& shapes = named(spec, "scales", "codes_shape")["range"];
  EXPECT_EQ(shapes[6], "circle");
  EXPECT_EQ(shapes[7], "square");
  EXPECT_EQ(named(spec, "scales", "codes_name")["range"][9], "class 9");

  ASSERT_EQ(spec["legends"].size(), 1u);
  EXPECT_EQ(spec["legends"][0]["fill"], "codes_color");
  EXPECT_EQ(spec["legends"][0]["shape"], "codes_shape");
  const json& point = named(spec, "marks", "codes_point")["encode"]["enter"];
  EXPECT_EQ(point["size"]["value"], 50);  // few points: large markers
  const std::string tip = point["tooltip"]["signal"];
  for (const char* part : {"\"z1\"", "\"z2\"", "'category'", "'label': datum.l"})
    EXPECT_NE(tip.find(part), std::string::npos) << part << " in " << tip;
}

TEST(ScatterSpec, TenThousandPointsStaySmall) {
  const plot::Scatter s = sample_scatter(10000);
  plot::SpecOptions options;
  options.interactive = false;
  const json spec = plot::vega_spec(s, options);
  const json& point = named(spec, "marks", "codes_point");
  EXPECT_EQ(point["interactive"], false);
  EXPECT_LT(point["encode"]["enter"]["size"]["value"].get<double>(), 20);
  // Rows of x, y, category and label; the doubles written in full take most of it.
  const size_t bytes = spec.dump().size();
  EXPECT_LT(bytes, 10000u * 90) << bytes;
}

TEST(ScatterSpec, UnnamedCategoriesAreNumberedAndOneCategoryHasNoLegend) {
  plot::Scatter s;
  s.id = "plain";
  s.x = {0, 1, 2};
  s.y = {1, 0, 1};
  EXPECT_TRUE(plot::vega_spec(s)["legends"].empty());
  s.category = {0, 2, 2};
  const json spec = plot::vega_spec(s);
  EXPECT_EQ(named(spec, "scales", "plain_name")["range"], json({"0", "1", "2"}));
  EXPECT_EQ(spec["legends"].size(), 1u);
}

TEST(ScatterSpec, InconsistentScattersAreRefusedNamingFigureAndField) {
  using E = std::invalid_argument;
  auto bad = [](auto change, std::initializer_list<std::string> parts) {
    plot::Scatter s = sample_scatter();
    change(s);
    return throws_with<E>([&] { plot::vega_spec(s); }, parts);
  };
  EXPECT_TRUE(bad([](plot::Scatter& s) { s.y.pop_back(); },
                  {"figure 'codes'", "y", "39 values, expected 40"}));
  EXPECT_TRUE(bad([](plot::Scatter& s) { s.x.clear(), s.y.clear(); }, {"x", "empty"}));
  EXPECT_TRUE(bad([](plot::Scatter& s) { s.x[4] = NAN; }, {"x[4], y[4]", "not a finite point"}));
  EXPECT_TRUE(bad([](plot::Scatter& s) { s.category.pop_back(); },
                  {"category", "39 values, expected 40 (one per point) or none"}));
  EXPECT_TRUE(
      bad([](plot::Scatter& s) { s.category[8] = 10; }, {"category[8]", "10 (expected 0 .. 9"}));
  EXPECT_TRUE(bad([](plot::Scatter& s) { s.category_names[9] = "class 0"; },
                  {"category_names[9]", "'class 0' again"}));
  EXPECT_TRUE(bad([](plot::Scatter& s) { s.labels.resize(3); }, {"labels", "3 labels"}));
  EXPECT_TRUE(bad([](plot::Scatter& s) { s.point_size = -1; }, {"point_size"}));
}

// ---- All kinds together ----

TEST(FigureKinds, DataGivesTheNumbersBack) {
  const json heat = plot::figure_data(sample_heatmap());
  EXPECT_EQ(heat["kind"], "heatmap");
  EXPECT_EQ(heat["values"].size(), 12u);
  EXPECT_TRUE(heat["values"][3].is_null());
  EXPECT_EQ(heat["x"]["values"][2], 0.1);
  EXPECT_EQ(heat["y"]["categories"][1], "128");
  const json scatter = plot::figure_data(sample_scatter());
  EXPECT_EQ(scatter["x"].size(), 40u);
  EXPECT_EQ(scatter["category"][13], 3);
  EXPECT_EQ(scatter["labels"][13], "test image 13");
  plot::ImageGrid g = sample_image_grid();
  g.images[0].values[0] = 0.1f;
  const json grid = plot::figure_data(g);
  EXPECT_EQ(grid["images"].size(), 6u);
  EXPECT_EQ(grid["images"][0]["values"][0], 0.1);  // the float's shortest decimal
  EXPECT_EQ(grid["images"][0]["width"], 6);
}

TEST(FigureKinds, EveryKindStacksInOneColumnAndSitsOnAPage) {
  const std::vector<plot::Figure> figures = {sample_line_chart(), sample_contour(),
                                             sample_heatmap(), sample_image_grid(),
                                             sample_scatter()};
  const json column = plot::vega_spec_column(figures, plot::SpecOptions{});
  ASSERT_EQ(column["marks"].size(), 5u);
  EXPECT_EQ(column["marks"][2]["name"], "sweep");
  EXPECT_EQ(column["marks"][2]["encode"]["update"]["height"]["value"], 240);
  EXPECT_NE(find_named(column, "marks", "recon_image"), nullptr);
  EXPECT_NE(find_named(column, "marks", "codes_point"), nullptr);
  EXPECT_EQ(column["marks"][2]["legends"].size(), 2u);

  if (!std::filesystem::exists(plot::node_modules_dir() / "vega"))
    GTEST_SKIP() << "run scripts/setup (npm ci): the page inlines Vega";
  plot::Page page;
  page.title = "kinds";
  page.blocks.assign(figures.begin(), figures.end());
  const std::string html = plot::html(page);
  for (const char* part : {"figure-box heatmap", "id=\"figure-sweep\"", "figure-box image_grid",
                           "id=\"figure-recon\"", "figure-box scatter", "id=\"figure-codes\""})
    EXPECT_NE(html.find(part), std::string::npos) << part;
}

}  // namespace test_plot_kinds
