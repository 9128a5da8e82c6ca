// End-to-end tests of --plot: `descent optimize ... --plot FILE` (contour plot with every path,
// loss and gradient norm) and `descent schedule ... --plot FILE` (several --spec overlaid), as
// HTML, SVG and PNG; the numbers in the figures are the numbers of the CSV; bad extensions are
// refused with nothing written.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "cli_fixtures.h"
#include "descent/plot/page.h"
#include "descent/plot/tool_process.h"
#include "plot_fixtures.h"

namespace test_plot_cli {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_text;
using nlohmann::json;
using plot_test::files_in;
using plot_test::have_vega;
using plot_test::named;

// The JSON of <script ... id="ID">.
json script_json(const std::string& html, const std::string& id) {
  size_t at = html.find("id=\"" + id + "\"");
  if (at == std::string::npos) throw std::runtime_error("no element " + id);
  at = html.find('>', at) + 1;
  return json::parse(html.substr(at, html.find("</script>", at) - at));
}

// CSV lines split on commas (the tests use SPECs without commas).
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::istringstream fs(line);
    for (std::string f; std::getline(fs, f, ',');) fields.push_back(f);
    rows.push_back(fields);
  }
  return rows;
}

class PlotCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_vega()) GTEST_SKIP() << "run scripts/setup (npm ci): figures need Vega";
    fs::create_directories(tmp_ / "cwd");
    fs::create_directories(tmp_ / "logs");
  }
  CommandResult descent(const std::vector<std::string>& args) {
    return cli_test::run_command(DESCENT_BINARY, args, tmp_ / "cwd", tmp_ / "logs");
  }
  fs::path cwd() const { return tmp_ / "cwd"; }
  cli_test::TempDir tmp_{"descent-plot-cli"};
};

const std::vector<std::string> kRace = {"optimize",     "--function",   "rosenbrock",
                                        "--optimizer",  "adam:lr=0.05", "--optimizer",
                                        "sgd:lr=0.001", "--steps",      "20"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST_F(PlotCliTest, OptimizeHtmlHoldsThePathsTheCsvPrints) {
  const CommandResult csv = descent(kRace);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const CommandResult r = descent(with(kRace, {"--plot", "race.html", "--grid", "30"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");  // the figure replaces the CSV
  EXPECT_EQ(files_in(cwd()), std::vector<std::string>{"race.html"});
  const std::string html = read_text(cwd() / "race.html");
  for (const char* id : {"figure-contour", "figure-loss", "figure-grad_norm", "step-contour",
                         "play-contour", "log-loss"})
    EXPECT_NE(html.find("id=\"" + std::string(id) + "\""), std::string::npos) << id;

  const json contour = script_json(html, "spec-contour");
  EXPECT_EQ(named(contour, "data", "contour_grid")["values"][0]["values"].size(), 900u);
  EXPECT_EQ(named(contour, "signals", "step")["value"], 20);
  EXPECT_EQ(named(contour, "scales", "contour_name")["range"],
            json({"adam:lr=0.05", "sgd:lr=0.001"}));
  // Rosenbrock's range calls for log-spaced levels: geometric above the minimum.
  const json& levels = contour["usermeta"]["descent"]["levels"];
  ASSERT_GE(levels.size(), 3u);
  EXPECT_GT(levels[2].get<double>() - levels[1].get<double>(),
            1.5 * (levels[1].get<double>() - levels[0].get<double>()));
  EXPECT_EQ(named(contour, "data", "contour_points")["values"][0]["label"], "global minimum");
  // Every row of the CSV is a point of the figure, the same float.
  const json& rows = named(contour, "data", "contour_paths")["values"];
  const auto expected = csv_rows(csv.out);
  ASSERT_EQ(rows.size(), expected.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i]["s"], std::stoi(expected[i][1]));
    EXPECT_EQ(static_cast<float>(rows[i]["x"].get<double>()), std::stof(expected[i][2])) << i;
    EXPECT_EQ(static_cast<float>(rows[i]["y"].get<double>()), std::stof(expected[i][3])) << i;
    EXPECT_EQ(static_cast<float>(rows[i]["loss"].get<double>()), std::stof(expected[i][4])) << i;
  }
  const json loss = script_json(html, "spec-loss");
  EXPECT_EQ(named(loss, "signals", "loss_log_y")["value"], true);
  EXPECT_EQ(named(loss, "data", "loss_series")["values"].size(), 42u);
  const json provenance = script_json(html, "provenance");
  EXPECT_EQ(
      provenance["command"].get<std::string>().rfind("descent optimize --function rosenbrock", 0),
      0u)
      << provenance.dump();
  EXPECT_NE(provenance["command"].get<std::string>().find("--plot race.html"), std::string::npos);
  EXPECT_TRUE(provenance.contains("seed"));
  EXPECT_EQ(provenance["config"]["grid"], 30);
}

TEST_F(PlotCliTest, OptimizeSvgAndPngWithTheirDataBeside) {
  CommandResult r =
      descent(with(kRace, {"--plot", "race.svg", "--grid", "30", "--out", "race.csv"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(files_in(cwd()), (std::vector<std::string>{"race.csv", "race.json", "race.svg"}));
  EXPECT_EQ(read_text(cwd() / "race.svg").rfind("<svg", 0), 0u);
  const json data = json::parse(read_text(cwd() / "race.json"));
  ASSERT_EQ(data["figures"].size(), 3u);
  EXPECT_EQ(data["figures"][0]["kind"], "contour_plot");
  EXPECT_EQ(data["figures"][0]["paths"].size(), 2u);
  EXPECT_EQ(data["figures"][0]["paths"][0]["x"].size(), 21u);
  EXPECT_EQ(data["figures"][1]["id"], "loss");
  EXPECT_EQ(data["figures"][2]["id"], "grad_norm");
  EXPECT_NE(data["provenance"]["command"].get<std::string>().find("--plot race.svg"),
            std::string::npos);

  r = descent(with(kRace, {"--plot", "race.png", "--grid", "30"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(cwd() / "race.png").substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_EQ(files_in(cwd()),
            (std::vector<std::string>{"race.csv", "race.json", "race.png", "race.svg"}));
}

TEST_F(PlotCliTest, UnknownExtensionIsRefusedWithNothingWritten) {
  for (const auto& args :
       {with(kRace, {"--plot", "race.pdf"}),
        std::vector<std::string>{"schedule", "--spec", "cosine:t_max=10", "--plot", "lr.jpeg"}}) {
    const CommandResult r = descent(args);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find(".html, .svg or .png"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_TRUE(files_in(cwd()).empty());
  // --grid belongs to --plot.
  const CommandResult r = descent(with(kRace, {"--grid", "30"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--plot"), std::string::npos) << r.err;
  EXPECT_TRUE(files_in(cwd()).empty());
}

TEST_F(PlotCliTest, MissingToolsAreNamedBeforeAnyWork) {
  const char* old = std::getenv("PATH");
  const std::string saved = old ? old : "";
  // A PATH with node but no rsvg-convert: .svg works, .png is refused up front.
  fs::create_directories(tmp_ / "bin");
  fs::create_symlink(descent::plot::find_program("node").value(), tmp_ / "bin" / "node");
  ::setenv("PATH", (tmp_ / "bin").c_str(), 1);
  const CommandResult png = descent(with(kRace, {"--plot", "race.png"}));
  ::setenv("PATH", "/nonexistent", 1);
  const CommandResult svg = descent(with(kRace, {"--plot", "race.svg"}));
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_NE(png.exit_code, 0);
  EXPECT_NE(png.err.find("apt-get install librsvg2-bin"), std::string::npos) << png.err;
  EXPECT_NE(svg.exit_code, 0);
  EXPECT_NE(svg.err.find("apt-get install nodejs"), std::string::npos) << svg.err;
  EXPECT_TRUE(files_in(cwd()).empty());
}

TEST_F(PlotCliTest, ScheduleOverlaysEverySpec) {
  const std::vector<std::string> specs = {"cosine:t_max=10", "onecycle:max_lr=0.5,total_steps=10",
                                          "step:step_size=3"};
  std::vector<std::string> args = {"schedule", "--lr", "0.1", "--steps", "10", "--plot", "lr.svg"};
  for (const auto& s : specs) args.insert(args.end(), {"--spec", s});
  const CommandResult r = descent(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(files_in(cwd()), (std::vector<std::string>{"lr.json", "lr.svg"}));
  const json data = json::parse(read_text(cwd() / "lr.json"));
  // One learning-rate chart with a series per spec; onecycle cycles momentum: a second chart.
  ASSERT_EQ(data["figures"].size(), 2u);
  const json& series = data["figures"][0]["series"];
  ASSERT_EQ(series.size(), 3u);
  for (size_t k = 0; k < specs.size(); ++k) {
    EXPECT_EQ(series[k]["name"], specs[k]);
    // The values are the CSV's, digit for digit.
    const CommandResult one =
        descent({"schedule", "--spec", specs[k], "--lr", "0.1", "--steps", "10"});
    ASSERT_EQ(one.exit_code, 0) << one.err;
    std::istringstream in(one.out);
    std::string line;
    std::getline(in, line);
    for (size_t s = 0; std::getline(in, line); ++s)
      EXPECT_EQ(series[k]["y"][s].get<double>(), std::stod(line.substr(line.find(',') + 1)));
  }
  EXPECT_EQ(data["figures"][1]["id"], "momentum");
  EXPECT_EQ(data["figures"][1]["series"].size(), 1u);
}

TEST_F(PlotCliTest, SeveralSpecsNeedAFigure) {
  const CommandResult r = descent(
      {"schedule", "--spec", "cosine:t_max=10", "--spec", "step:step_size=3", "--steps", "5"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--plot"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

// `descent train` ends by writing report.html (report.write, on by default): the run's page, as
// `descent report RUN` draws it. Without Vega the run is still complete and says why no report.
const std::vector<std::string> kTinyRun = {
    "train",          "--set",         "data.name=spirals",
    "--set",          "data.size=120", "--set",
    "train.epochs=2", "--set",         "model.layers=[\"linear:out=8\",\"relu\",\"linear:out=3\"]"};

TEST_F(PlotCliTest, TrainWritesItsReportUnlessTurnedOff) {
  const CommandResult on = descent(with(kTinyRun, {"--out", "on"}));
  ASSERT_EQ(on.exit_code, 0) << on.err;
  EXPECT_NE(on.out.find("report: on/report.html"), std::string::npos) << on.out;
  const std::string html = read_text(cwd() / "on" / "report.html");
  EXPECT_EQ(script_json(html, "provenance")["command"], "descent report on --out on/report.html");
  EXPECT_NE(html.find("id=\"figure-train_loss\""), std::string::npos);

  const CommandResult off = descent(with(kTinyRun, {"--out", "off", "--no-report"}));
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_FALSE(fs::exists(cwd() / "off" / "report.html"));
  EXPECT_NE(read_text(cwd() / "off" / "config.toml").find("[report]\nwrite = false"),
            std::string::npos);
  // A resumed run may turn it back on; it writes the report when it ends.
  const CommandResult resumed =
      descent({"train", "--resume", "off", "--set", "train.epochs=3", "--report"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_TRUE(fs::exists(cwd() / "off" / "report.html"));
  EXPECT_NE(descent(with(kTinyRun, {"--out", "both", "--report", "--no-report"})).exit_code, 0);
}

TEST_F(PlotCliTest, TrainWithoutVegaIsCompleteAndSaysWhyThereIsNoReport) {
  ::setenv("DESCENT_NODE_MODULES", (tmp_ / "no-node-modules").c_str(), 1);
  const CommandResult r = descent(with(kTinyRun, {"--out", "run"}));
  ::unsetenv("DESCENT_NODE_MODULES");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: run/report.html not written: missing"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("run scripts/setup"), std::string::npos) << r.err;
  EXPECT_EQ(files_in(cwd() / "run"),
            (std::vector<std::string>{".descent.lock", "checkpoint.safetensors", "config.toml",
                                      "data.json", "diagnostics.json", "metrics.jsonl",
                                      "model.safetensors", "steps.jsonl", "summary.json"}));
}

}  // namespace test_plot_cli
