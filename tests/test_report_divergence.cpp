// The report's runs table says a run diverged: as its stop reason when it stopped for it, beside
// it when it trained on (train.divergence = "warn").
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "cli_fixtures.h"
#include "descent/app/report.h"
#include "descent/app/run_dir.h"

namespace descent {
namespace test_report_divergence {

namespace fs = std::filesystem;

fs::path make_run(const fs::path& dir, const nlohmann::json& summary) {
  fs::create_directories(dir);
  std::ofstream(dir / kConfigFile) << to_toml(load_config("", {}));
  std::ofstream(dir / kMetricsFile)
      << nlohmann::json{{"epoch", 1}, {"train_loss", 1.0}}.dump() << "\n";
  std::ofstream(dir / kSummaryFile) << summary.dump();
  return dir;
}

TEST(ReportDivergence, RunsTableSaysWhichRunsDiverged) {
  cli_test::TempDir tmp("descent-report-divergence");
  const std::vector<RunRecord> runs = {
      read_run(make_run(tmp / "stopped", {{"epochs", 1},
                                          {"stop_reason", "diverged"},
                                          {"diverged", true},
                                          {"divergence", "the loss exploded"}})),
      read_run(make_run(tmp / "warned", {{"epochs", 1},
                                         {"stop_reason", "completed"},
                                         {"diverged", true},
                                         {"divergence", "the loss exploded"}})),
      read_run(make_run(tmp / "fine",
                        {{"epochs", 1}, {"stop_reason", "completed"}, {"diverged", false}})),
  };
  const plot::Page page = report_page(runs, "descent report");
  const plot::Table* table = nullptr;
  for (const auto& block : page.blocks)
    if (const auto* t = std::get_if<plot::Table>(&block))
      if (std::find(t->columns.begin(), t->columns.end(), "stopped by") != t->columns.end())
        table = t;
  ASSERT_NE(table, nullptr);
  const size_t column = std::find(table->columns.begin(), table->columns.end(), "stopped by") -
                        table->columns.begin();
  std::map<std::string, std::string> stopped;
  for (const auto& row : table->rows) stopped[row[0]] = row[column];
  EXPECT_EQ(stopped["stopped"], "diverged");
  EXPECT_EQ(stopped["warned"], "completed, diverged");
  EXPECT_EQ(stopped["fine"], "completed");
}

}  // namespace test_report_divergence
}  // namespace descent
