// Settings and files met through `descent train` and `descent schedule` that once trained on
// silently, reported numbers of nothing, blew up memory or failed with an unclear message: each is
// refused before the run directory exists (exit 1, the message naming the key or file, the value
// and what is expected), or handled as the docs say.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"

namespace test_bad_input_cli {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_text;
using cli_test::write_text;

// Built with AddressSanitizer, the binary maps terabytes of shadow memory: no memory limits then.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

class BadInputCli : public cli_test::CommandTest {
 protected:
  BadInputCli() : CommandTest("descent-bad-input") {}

  // `descent train` on spirals, small and quick, into `out`; `sets` are --set overrides.
  CommandResult train(const std::string& out, const std::vector<std::string>& sets) {
    return descent(
        with_sets({"train", "--out", out, "--no-report", "-q", "--threads", "1", "--set",
                   "data.name=spirals", "--set", "data.size=60", "--set", "train.epochs=1"},
                  sets));
  }
  // Exit 1, every fragment in the message, nothing hostile echoed whole, and no run directory.
  void expect_refused(const CommandResult& r, const std::string& out,
                      const std::vector<std::string>& fragments) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    for (const auto& f : fragments)
      EXPECT_NE(r.err.find(f), std::string::npos) << f << "\n" << r.err;
    EXPECT_LT(r.err.size(), 1000u) << r.err.substr(0, 1000);
    EXPECT_FALSE(fs::exists(cwd_ / out)) << out << " was created";
  }
};

TEST_F(BadInputCli, LayerTooWideForMemoryIsRefusedSayingWhatItNeeds) {
  const CommandResult r = train("wide", {R"(model.layers=["linear:out=1e12","relu","linear"])"});
  expect_refused(
      r, "wide",
      {"building the model", "layer 'linear:out=1e12'",
       "a tensor of shape [1000000000000, 2] needs 8.0 TB, more than the", "of memory available"});
}

TEST_F(BadInputCli, DataSizeTooLargeForMemoryIsRefusedSayingWhatItNeeds) {
  const CommandResult r = train("big", {"data.size=1000000000000"});
  expect_refused(r, "big",
                 {"loading the data (data.name = \"spirals\")",
                  "a tensor of shape [1000000000000, 2] needs 8.0 TB"});
}

TEST_F(BadInputCli, MoreClassesThanExamplesIsRefused) {
  expect_refused(train("classes", {"data.classes=1000000", "data.size=60"}), "classes",
                 {"data.classes = 1000000 is more than data.size = 60"});
}

TEST_F(BadInputCli, ThreadsBeyondFourPerCoreAreRefused) {
  const CommandResult r =
      descent({"train", "--out", "threads", "--set", "data.name=spirals", "--threads", "100000"});
  expect_refused(r, "threads", {"threads = 100000", "4 per core", "0 uses every core"});
  EXPECT_EQ(descent({"bench", "optimizer", "--optimizer", "sgd", "--threads", "100000"}).exit_code,
            2);
}

TEST_F(BadInputCli, OutOfMemoryNamesWhatWasBeingBuilt) {
  // A data-segment limit is one the size checks do not see (they read the address-space limit):
  // the allocation itself fails, and main says what was being done.
  if (kSanitized) GTEST_SKIP() << "memory limits do not apply under AddressSanitizer";
  const std::string command =
      "ulimit -d 1500000 && exec " + std::string(DESCENT_BINARY) +
      " train --out oom -q --no-report --threads 1 --set data.name=spirals --set data.size=60"
      " --set 'model.layers=[\"linear:out=250000000\",\"relu\",\"linear\"]'";
  const CommandResult r = cli_test::run_command("/bin/sh", {"-c", command}, cwd_, logs_);
  if (r.err.find("of memory available") != std::string::npos)
    GTEST_SKIP() << "this machine has too little memory for the test: " << r.err;
  expect_refused(
      r, "oom",
      {"descent: error: out of memory while building the model", "layer 'linear:out=250000000'"});
}

TEST_F(BadInputCli, DropLastWithABatchLargerThanTheDataIsRefused) {
  // It once trained zero steps and exited 0.
  const CommandResult r =
      train("dropped", {"train.drop_last=true", "train.batch_size=500", "data.validation_size=10"});
  expect_refused(r, "dropped",
                 {"train.batch_size = 500 with train.drop_last = true leaves no batch",
                  "has 50 training examples", "use a batch of at most 50"});
  EXPECT_EQ(train("partial", {"train.drop_last=false", "train.batch_size=500"}).exit_code, 0);
}

TEST_F(BadInputCli, TestSizeZeroReportsNoTestNumbers) {
  // It once reported test_loss 0.0, the mean of nothing.
  const CommandResult r = train("untested", {"data.test_size=0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no test set (data.test_size = 0), no test numbers"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("test_loss"), std::string::npos) << r.out;
  const nlohmann::json summary =
      nlohmann::json::parse(read_text(cwd_ / "untested" / "summary.json"));
  for (const auto& [key, value] : summary.items()) EXPECT_NE(key.rfind("test_", 0), 0u) << key;

  const fs::path csv = cwd_ / "rows.csv";
  write_text(csv, "1.0,2.0,0\n1.5,2.5,1\n3.0,1.0,0\n2.0,2.0,1\n0.5,0.1,0\n1.1,2.2,1\n");
  const CommandResult c = train("csv", {"data.name=csv", "data.path=" + csv.string(),
                                        "data.test_size=0", "data.validation_size=1"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(read_text(cwd_ / "csv" / "summary.json").find("test_loss"), std::string::npos);
}

TEST_F(BadInputCli, ScheduleValueWithACommaIsOneBadValueNotTwoArguments) {
  // Values are never spliced into a SPEC string: "2,gamma=0.5" must not set gamma.
  const fs::path config = cwd_ / "step.toml";
  write_text(config, "[schedule]\nname = \"step\"\nstep_size = \"2,gamma=0.5\"\n");
  CommandResult r = descent({"train", "--config", config.string(), "--out", "spliced", "--set",
                             "data.name=spirals", "--set", "train.epochs=1", "--no-report"});
  expect_refused(r, "spliced", {"step_size=2,gamma=0.5 is not valid (expected an integer)"});
  r = train("set", {"optimizer.lr=0.1,weight_decay=0.5"});
  expect_refused(r, "set", {"lr", "0.1,weight_decay=0.5"});
}

TEST_F(BadInputCli, IntegerKeysTakeIntegralFloatsAndRefuseFractions) {
  // "train.epochs = 2 ... expected an integer" once answered 2.0.
  const CommandResult two = train("two", {"train.epochs=2.0"});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_NE(read_text(cwd_ / "two" / "config.toml").find("epochs = 2\n"), std::string::npos);
  EXPECT_EQ(cli_test::read_jsonl(cwd_ / "two" / "metrics.jsonl").size(), 2u);
  expect_refused(train("half", {"train.epochs=2.5"}), "half",
                 {"train.epochs = 2.5", "expected an integer >= 1"});
}

TEST_F(BadInputCli, TestCsvWithOtherColumnsIsRefusedBeforeTraining) {
  write_text(cwd_ / "train.csv", "1.0,2.0,0\n1.5,2.5,1\n3.0,1.0,0\n2.0,2.0,1\n0.5,0.1,0\n");
  write_text(cwd_ / "test.csv", "1.0,2.0,3.0,0\n1.5,2.5,3.0,1\n");
  const CommandResult r = train("columns", {"data.name=csv", "data.path=train.csv",
                                            "data.test_path=test.csv", "data.validation_size=1"});
  expect_refused(r, "columns", {"test.csv:1: has 4 columns, expected 3"});
}

TEST_F(BadInputCli, ScheduleMetricsThatAreNotNumbersNameTheLine) {
  write_text(cwd_ / "metrics.txt", "0.5\n\n0.4\nabc\n");
  const CommandResult r = descent(
      {"schedule", "--spec", "reduce_on_plateau", "--steps", "5", "--metrics", "metrics.txt"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("--metrics metrics.txt:4: 'abc' is not a finite number (expected one "
                       "metric per line)"),
            std::string::npos)
      << r.err;
  write_text(cwd_ / "metrics.txt", "0.5\n0.4\n0.3\nnan\n");
  EXPECT_NE(descent({"schedule", "--spec", "reduce_on_plateau", "--steps", "5", "--metrics",
                     "metrics.txt"})
                .err.find("metrics.txt:4: 'nan' is not a finite number"),
            std::string::npos);
}

TEST_F(BadInputCli, ScheduleStepsBeyondMemoryAreRefusedBeforeTracing) {
  const CommandResult r =
      descent({"schedule", "--spec", "cosine:t_max=3", "--steps", "100000000000000"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("--steps 100000000000000 rows needs 1.6 PB, more than the"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty());
}

}  // namespace test_bad_input_cli
