// Pages (plot/page.h) and figure files (plot/export.h): the HTML's elements and embedded data,
// escaping, and the errors when the JavaScript packages, Node or rsvg-convert are missing
// (nothing half-written).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <regex>

#include "cli_fixtures.h"
#include "descent/plot/export.h"
#include "descent/plot/page.h"
#include "descent/plot/provenance.h"
#include "descent/plot/tool_process.h"
#include "plot_fixtures.h"
#include "throws_with.h"

namespace test_plot_page {

namespace fs = std::filesystem;
using descent::testutil::throws_with;
using nlohmann::json;
using namespace plot_test;
namespace plot = descent::plot;

// Sets an environment variable for the scope of a test and puts the old value back.
class EnvOverride {
 public:
  EnvOverride(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~EnvOverride() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// The text of <script ... id="ID">...</script>.
std::string script_text(const std::string& html, const std::string& id) {
  const std::string open = "id=\"" + id + "\"";
  size_t at = html.find(open);
  if (at == std::string::npos) return "";
  at = html.find('>', at) + 1;
  return html.substr(at, html.find("</script>", at) - at);
}

plot::Page sample_page() {
  plot::Page page;
  page.title = "runs </script> & <friends>";
  page.provenance = {
      {"command", "descent report a </script> b"}, {"seed", 3}, {"config", {{"lr", 0.1}}}};
  page.smoothing = 0.3;
  page.blocks.push_back(plot::Heading{"Loss <b>", 2});
  page.blocks.push_back(plot::Paragraph{"a </script><script>alert(1)</script> b"});
  plot::LineChart chart = sample_line_chart();
  chart.title = "loss </script>";
  chart.series[0].name = "adam </script><!--";
  page.blocks.push_back(plot::Figure{chart});
  page.blocks.push_back(plot::Figure{sample_contour()});
  page.blocks.push_back(plot::Table{{"run", "acc"}, {{"<x>", "0.9"}}});
  return page;
}

TEST(PlotPage, FiguresControlsAndDataInTheHtml) {
  if (!have_vega("vega.min.js"))
    GTEST_SKIP() << "run scripts/setup (npm ci): the page inlines Vega";
  const plot::Page page = sample_page();
  const std::string html = plot::html(page);
  for (const char* id : {"figure-loss", "log-loss", "smoothing", "figure-surface", "step-surface",
                         "play-surface", "provenance", "spec-loss", "spec-surface"})
    EXPECT_NE(html.find("id=\"" + std::string(id) + "\""), std::string::npos) << id;
  EXPECT_NE(html.find("<input type=\"range\" id=\"step-surface\" min=\"0\" max=\"3\""),
            std::string::npos);
  EXPECT_NE(html.find("value=\"0.30\""), std::string::npos);  // the smoothing slider's start
  EXPECT_EQ(html.find("id=\"x-axis\""), std::string::npos);   // no series has wall time
  // The libraries are inline: the page opens offline.
  EXPECT_EQ(html.find("<script src="), std::string::npos);
  EXPECT_NE(html.find("vegaEmbed"), std::string::npos);

  // The data reads back out: each spec as the builder made it, the provenance as given.
  plot::SpecOptions options;
  options.smoothing = 0.3;
  EXPECT_EQ(json::parse(script_text(html, "spec-loss")),
            plot::vega_spec(std::get<plot::Figure>(page.blocks[2]), options));
  EXPECT_EQ(json::parse(script_text(html, "spec-surface")),
            plot::vega_spec(std::get<plot::Figure>(page.blocks[3]), options));
  EXPECT_EQ(json::parse(script_text(html, "provenance")), page.provenance);
}

TEST(PlotPage, TextIsEscapedAndScriptsCannotBeClosedByData) {
  if (!have_vega("vega.min.js"))
    GTEST_SKIP() << "run scripts/setup (npm ci): the page inlines Vega";
  const std::string html = plot::html(sample_page());
  // Every "</script>" closes one of the page's own <script> elements.
  const auto occurrences = [&](const std::string& s) {
    size_t n = 0;
    for (size_t at = html.find(s); at != std::string::npos; at = html.find(s, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(occurrences("</script>"), occurrences("<script"));
  EXPECT_EQ(html.find("<!--"), std::string::npos);
  EXPECT_NE(html.find("<title>runs &lt;/script&gt; &amp; &lt;friends&gt;</title>"),
            std::string::npos);
  EXPECT_NE(html.find("<h2>Loss &lt;b&gt;</h2>"), std::string::npos);
  EXPECT_NE(html.find("<td>&lt;x&gt;</td>"), std::string::npos);
  EXPECT_NE(html.find("descent report a &lt;/script&gt; b"), std::string::npos);  // visible
}

TEST(PlotPage, DuplicateFigureIdsAreRefused) {
  plot::Page page;
  page.blocks = {plot::Figure{sample_line_chart()}, plot::Figure{sample_line_chart()}};
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot::html(page); }, {"'loss'", "unique"}));
}

TEST(PlotPage, MissingNodeModulesNamesTheFileAndTheFix) {
  cli_test::TempDir dir("descent-plot");
  EnvOverride env("DESCENT_NODE_MODULES", (dir.path() / "node_modules").string());
  EXPECT_EQ(plot::node_modules_dir(), dir.path() / "node_modules");
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { plot::html(sample_page()); },
      {(dir.path() / "node_modules" / "vega" / "build" / "vega.min.js").string(),
       "run scripts/setup (npm ci)"}));
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { plot::write_figure(sample_line_chart(), dir / "out.html", json::object()); },
      {"vega.min.js"}));
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { plot::write_figure(sample_line_chart(), dir / "out.svg", json::object()); },
      {"vega.module.js", "npm ci"}));
  EXPECT_TRUE(files_in(dir.path()).empty());
}

TEST(PlotTools, RunsAProgramOnItsInputAndStopsOneThatHangs) {
  const auto cat = plot::find_program("cat");
  ASSERT_TRUE(cat);
  const std::string big(3 << 20, 'x');  // more than any pipe holds
  const plot::ToolResult r = plot::run_tool(*cat, {}, big);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, big);
  const auto sleep = plot::find_program("sleep");
  ASSERT_TRUE(sleep);
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { plot::run_tool(*sleep, {"30"}, "", 0.2); },
                                              {"sleep", "longer than"}));
  EXPECT_FALSE(plot::find_program("no-such-program-descent"));
}

TEST(PlotProvenance, CommandLinesCanBePastedBackIntoAShell) {
  EXPECT_EQ(plot::shell_line({"descent", "optimize", "--optimizer", "adam:lr=0.1,beta1=0.8"}),
            "descent optimize --optimizer adam:lr=0.1,beta1=0.8");
  EXPECT_EQ(plot::shell_line({"schedule", "--spec", "sequential:schedulers=[a;b]", "it's", ""}),
            "schedule --spec 'sequential:schedulers=[a;b]' 'it'\\''s' ''");
  // This test binary's own command line, program shown by its file name.
  EXPECT_EQ(plot::command_line().rfind("descent_tests", 0), 0u) << plot::command_line();
}

TEST(PlotExport, ExtensionsAreCheckedBeforeAnything) {
  for (const char* ok : {"a.html", "dir/b.svg", "c.PNG"})
    EXPECT_NO_THROW(plot::check_figure_path(ok));
  for (const char* bad : {"a.pdf", "b", "c.svg.txt"})
    EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot::check_figure_path(bad); },
                                                   {bad, ".html, .svg or .png"}));
  cli_test::TempDir dir("descent-plot");
  EXPECT_THROW(plot::write_figure(sample_line_chart(), dir / "x.jpg", json::object()),
               std::invalid_argument);
  EXPECT_TRUE(files_in(dir.path()).empty());
}

TEST(PlotExport, MissingNodeOrRsvgConvertSaysWhichAndHowToInstall) {
  if (!have_vega("vega.min.js")) GTEST_SKIP() << "run scripts/setup (npm ci)";
  cli_test::TempDir dir("descent-plot");
  {
    EnvOverride path("PATH", (dir.path() / "empty").string());
    EXPECT_TRUE(throws_with<std::runtime_error>(
        [&] { plot::write_figure(sample_line_chart(), dir / "a.svg", json::object()); },
        {"Node.js", "apt-get install nodejs", "scripts/setup"}));
    // HTML needs no Node.
    EXPECT_NO_THROW(plot::write_figure(sample_line_chart(), dir / "a.html", json::object()));
  }
  EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"a.html"});
  const auto node = plot::find_program("node");
  if (!node) GTEST_SKIP() << "node is not installed";
  fs::create_directories(dir / "bin");
  fs::create_symlink(*node, dir / "bin" / "node");
  EnvOverride path("PATH", (dir / "bin").string());
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { plot::write_figure(sample_line_chart(), dir / "a.png", json::object()); },
      {"rsvg-convert", "apt-get install librsvg2-bin"}));
  EXPECT_FALSE(fs::exists(dir / "a.png"));
  EXPECT_FALSE(fs::exists(dir / "a.json"));
}

TEST(PlotExport, StaticFiguresComeWithTheirDataBeside) {
  if (!have_vega("vega.min.js") || !plot::find_program("node") ||
      !plot::find_program("rsvg-convert"))
    GTEST_SKIP() << "needs node, rsvg-convert and the npm packages (scripts/setup)";
  cli_test::TempDir dir("descent-plot");
  const json provenance = {{"command", "descent test"}, {"seed", 5}};
  plot::write_figures({sample_contour(), sample_line_chart()}, dir / "both.png", provenance,
                      "both");
  const std::string png = cli_test::read_text(dir / "both.png");
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  const json data = json::parse(cli_test::read_text(dir / "both.json"));
  EXPECT_EQ(data["provenance"], provenance);
  ASSERT_EQ(data["figures"].size(), 2u);
  EXPECT_EQ(data["figures"][0], plot::figure_data(sample_contour()));
  EXPECT_EQ(data["figures"][1], plot::figure_data(sample_line_chart()));
  // Nothing else: no temporaries left behind.
  auto names = files_in(dir.path());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"both.json", "both.png"}));
}

}  // namespace test_plot_page
