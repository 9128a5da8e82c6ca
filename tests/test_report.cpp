// descent report's reading and grouping of run directories (app/run_record.h, app/report.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "descent/app/report.h"
#include "descent/app/run_dir.h"
#include "throws_with.h"

namespace descent {
namespace test_report {

using testutil::throws_with;
namespace fs = std::filesystem;

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("descent_report_" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // A run directory as descent train leaves it: config, `epochs` metric lines, a summary.
  fs::path make_run(const std::string& name, const std::vector<std::string>& sets, int epochs,
                    double loss0, bool finished = true) {
    const fs::path dir = root_ / name;
    fs::create_directories(dir);
    std::ofstream(dir / kConfigFile) << to_toml(load_config("", sets));
    std::ofstream metrics(dir / kMetricsFile);
    for (int e = 1; e <= epochs; ++e)
      metrics << nlohmann::json{{"epoch", e},
                                {"train_loss", loss0 / e},
                                {"val_loss", loss0 / e + 0.1},
                                {"lr", 0.01},
                                {"seconds", 0.5},
                                {"update_ratio", {{"0.weight", 1e-3}}}}
                     .dump()
              << "\n";
    if (finished)
      std::ofstream(dir / kSummaryFile)
          << nlohmann::json{{"epochs", epochs},           {"best_epoch", epochs},
                            {"stop_reason", "completed"}, {"test_loss", loss0 / epochs},
                            {"test_accuracy", 0.9},       {"seconds", 0.5 * epochs}}
                 .dump();
    return dir;
  }

  fs::path root_;
};

TEST_F(ReportTest, RunsDifferingOnlyInSeedFormAGroupNamedByWhatSetsGroupsApart) {
  std::vector<RunRecord> runs;
  for (int seed = 0; seed < 3; ++seed) {
    runs.push_back(
        read_run(make_run("sgd" + std::to_string(seed),
                          {"optimizer.name=sgd", "seed=" + std::to_string(seed)}, 3, 1.0 + seed)));
    runs.push_back(
        read_run(make_run("mom" + std::to_string(seed),
                          {"optimizer.name=sgd", "optimizer.momentum=0.9",
                           "seed=" + std::to_string(seed), "threads=" + std::to_string(seed + 1)},
                          3, 2.0)));
  }
  runs.push_back(read_run(make_run("adam", {}, 2, 1.0)));
  const auto groups = group_runs(runs);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].label, "sgd, momentum=0");
  EXPECT_EQ(groups[1].label, "sgd, momentum=0.9");
  EXPECT_EQ(groups[2].label, "adam");  // sgd's keys do not label adam
  EXPECT_EQ(groups[0].runs.size(), 3u);
  EXPECT_EQ(groups[1].runs.size(), 3u) << "thread counts do not split a group";
  // sgd twice: the label tells the groups apart, so it is the colour key; adam keeps its name's.
  EXPECT_EQ(groups[0].color_key, "sgd, momentum=0");
  EXPECT_EQ(groups[2].color_key, "adam");
}

TEST_F(ReportTest, AggregateOverSeriesOfDifferentLengths) {
  const Aggregate a = aggregate({{1, 2, 3}, {3, NAN}, {5}});
  ASSERT_EQ(a.mean.size(), 3u);
  EXPECT_DOUBLE_EQ(a.mean[0], 3);
  EXPECT_DOUBLE_EQ(a.min[0], 1);
  EXPECT_DOUBLE_EQ(a.max[0], 5);
  EXPECT_DOUBLE_EQ(a.mean[1], 2);  // the NaN is left out
  EXPECT_DOUBLE_EQ(a.mean[2], 3);
}

TEST_F(ReportTest, FormatsNumbersForTables) {
  EXPECT_EQ(format_number(0.886399), "0.8864");
  EXPECT_EQ(format_number(1.234567e-5), "1.235e-05");
  EXPECT_EQ(format_number(NAN), "-");
}

TEST_F(ReportTest, BadDirectoriesAndCorruptLinesAreNamed) {
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { read_run(root_ / "missing"); },
                                              {"missing", "is not a directory"}));
  fs::create_directories(root_ / "empty");
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { read_run(root_ / "empty"); },
                                              {"empty", "is not a run directory", "config.toml"}));
  const fs::path run = make_run("corrupt", {}, 2, 1.0);
  std::ofstream(run / kMetricsFile, std::ios::app) << "{\"epoch\": 3, oops\n";
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { read_run(run); },
                                              {"metrics.jsonl:3", "not valid JSON"}));
}

TEST_F(ReportTest, RunInProgressIsReadAsFarAsItGot) {
  const fs::path dir = make_run("going", {}, 2, 1.0, /*finished=*/false);
  std::ofstream(dir / kMetricsFile, std::ios::app) << "{\"epoch\": 3, \"train_lo";  // cut short
  const RunRecord run = read_run(dir);
  EXPECT_EQ(run.epochs.size(), 2u);
  EXPECT_FALSE(run.summary.has_value());
  ASSERT_EQ(run.notes.size(), 2u);
  EXPECT_NE(run.notes[0].find("line 3 was cut short"), std::string::npos) << run.notes[0];
  EXPECT_NE(run.notes[1].find("in progress"), std::string::npos) << run.notes[1];
}

TEST_F(ReportTest, PageHasAChartPerMeasureAndTheFinalNumbers) {
  std::vector<RunRecord> runs;
  for (int seed = 0; seed < 2; ++seed)
    runs.push_back(read_run(
        make_run("s" + std::to_string(seed), {"seed=" + std::to_string(seed)}, 4, 1.0 + seed)));
  const plot::Page page = report_page(runs, "descent report s0 s1");
  EXPECT_EQ(page.provenance.at("command"), "descent report s0 s1");
  std::vector<std::string> ids;
  const plot::LineChart* train_loss = nullptr;
  int tables = 0;
  for (const auto& block : page.blocks) {
    if (const auto* figure = std::get_if<plot::Figure>(&block)) {
      ids.push_back(plot::figure_id(*figure));
      if (ids.back() == "train_loss") train_loss = &std::get<plot::LineChart>(*figure);
    }
    tables += std::holds_alternative<plot::Table>(block);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"train_loss", "val_loss", "lr", "grad_norm_mean",
                                           "grad_norm_max", "update_ratio"}));
  EXPECT_EQ(tables, 3) << "runs, groups over seeds, configuration";
  // One group of two seeds: two faint per-seed lines, then the mean with its min/max band.
  ASSERT_NE(train_loss, nullptr);
  ASSERT_EQ(train_loss->series.size(), 3u);
  EXPECT_TRUE(train_loss->series[0].faint);
  const plot::Series& mean = train_loss->series[2];
  EXPECT_FALSE(mean.faint);
  EXPECT_FALSE(mean.smooth) << "4 epochs are drawn as they are";
  EXPECT_DOUBLE_EQ(mean.y[0], 1.5);  // (1/1 + 2/1) / 2
  EXPECT_DOUBLE_EQ(mean.lo[3], 0.25);
  EXPECT_DOUBLE_EQ(mean.hi[3], 0.5);
  EXPECT_DOUBLE_EQ(mean.x_alt[3], 2.0);  // wall time: 4 epochs of 0.5 s
}

TEST_F(ReportTest, LongRunsAreSmoothedAndOnlyEarlyStoppedRunsMarkTheirPatience) {
  std::vector<RunRecord> runs;
  runs.push_back(read_run(make_run("long", {"seed=0"}, 60, 1.0)));
  runs.push_back(read_run(make_run("stopped", {"seed=1"}, 60, 1.0)));
  runs.push_back(
      read_run(make_run("also_enabled", {"seed=2", "early_stopping.patience=5"}, 8, 1.0)));
  // "stopped" ended by early stopping: best epoch 50, then ten that did not improve.
  nlohmann::json summary = *runs[1].summary;
  summary["stop_reason"] = "early_stopping";
  summary["best_epoch"] = 50;
  runs[1].summary = summary;
  const plot::Page page = report_page(runs, "descent report long stopped also_enabled");
  const plot::LineChart* val_loss = nullptr;
  for (const auto& block : page.blocks)
    if (const auto* figure = std::get_if<plot::Figure>(&block))
      if (plot::figure_id(*figure) == "val_loss") val_loss = &std::get<plot::LineChart>(*figure);
  ASSERT_NE(val_loss, nullptr);
  ASSERT_EQ(val_loss->rules.size(), 1u);
  EXPECT_EQ(val_loss->rules[0].x, 50);
  ASSERT_EQ(val_loss->spans.size(), 1u);
  EXPECT_EQ(val_loss->spans[0].x0, 50);
  EXPECT_EQ(val_loss->spans[0].x1, 60);
  EXPECT_NE(val_loss->spans[0].label.find("patience"), std::string::npos);
  bool long_smoothed = false, short_smoothed = false;
  for (const plot::Series& s : val_loss->series) {
    if (s.faint) continue;
    (s.y.size() == 60 ? long_smoothed : short_smoothed) |= s.smooth;
  }
  EXPECT_TRUE(long_smoothed);
  EXPECT_FALSE(short_smoothed);
}

TEST_F(ReportTest, StackedRunsMarkWhereEachPhaseBegins) {
  const fs::path dir = make_run("stacked", {"seed=0"}, 0, 1.0);
  std::ofstream metrics(dir / kMetricsFile);
  for (const char* phase : {"layer-1", "layer-1", "layer-2", "fine-tune"})
    metrics
        << nlohmann::json{{"epoch", 1}, {"phase", phase}, {"train_loss", 0.5}, {"lr", 0.01}}.dump()
        << "\n";
  metrics.close();
  const plot::Page page = report_page({read_run(dir)}, "descent report stacked");
  const plot::LineChart* train_loss = nullptr;
  for (const auto& block : page.blocks)
    if (const auto* figure = std::get_if<plot::Figure>(&block))
      if (plot::figure_id(*figure) == "train_loss")
        train_loss = &std::get<plot::LineChart>(*figure);
  ASSERT_NE(train_loss, nullptr);
  ASSERT_EQ(train_loss->rules.size(), 3u);
  EXPECT_EQ(train_loss->rules[1].x, 3);
  EXPECT_EQ(train_loss->rules[1].label, "layer-2");
  EXPECT_EQ(train_loss->rules[2].x, 4);
}

}  // namespace test_report
}  // namespace descent
