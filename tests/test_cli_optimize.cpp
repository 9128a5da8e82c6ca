// End-to-end tests of `descent optimize` (optimizer paths on 2-D test functions, as CSV) and
// `descent bench optimizer` (JSON timing of optimizer steps).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "cli_fixtures.h"

namespace test_cli_optimize {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::TempDir;
using Row = std::vector<std::string>;

// One CSV line into fields; a quoted field may hold commas and doubled quotes.
Row split_csv_line(const std::string& line) {
  Row fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::vector<Row> parse_csv(const std::string& text) {
  std::vector<Row> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(split_csv_line(line));
  return rows;
}

double num(const std::string& s) { return std::stod(s); }

class OptimizeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_ / "cwd");
    fs::create_directories(tmp_ / "logs");
  }
  CommandResult descent(const std::vector<std::string>& args) {
    return cli_test::run_command(DESCENT_BINARY, args, tmp_ / "cwd", tmp_ / "logs");
  }
  std::vector<Row> ok_csv(const std::vector<std::string>& args) {
    const CommandResult r = descent(args);
    EXPECT_EQ(r.exit_code, 0) << "stderr:\n" << r.err;
    return parse_csv(r.out);
  }
  void expect_refused(const std::vector<std::string>& args, const std::string& needle) {
    const CommandResult r = descent(args);
    EXPECT_NE(r.exit_code, 0) << "accepted; stdout:\n" << r.out;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr lacks '" << needle << "':\n"
                                                     << r.err;
    EXPECT_EQ(r.out, "") << "a refused command printed CSV";
  }
  TempDir tmp_{"descent-optimize"};
};

const Row kHeader = {"step", "x", "y", "loss", "grad_norm", "lr"};

TEST_F(OptimizeCliTest, HeaderRowCountAndDefaultStart) {
  const auto rows =
      ok_csv({"optimize", "--function", "rosenbrock", "--optimizer", "adam", "--steps", "10"});
  ASSERT_EQ(rows.size(), 12u);  // header + steps + 1
  EXPECT_EQ(rows[0], kHeader);
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), kHeader.size());
    EXPECT_EQ(rows[i][0], std::to_string(i - 1));
  }
  // The classic start (-1.2, 1): f = 2.2^2 + 100 (1 - 1.44)^2 = 4.84 + 19.36.
  EXPECT_NEAR(num(rows[1][1]), -1.2, 1e-6);
  EXPECT_DOUBLE_EQ(num(rows[1][2]), 1.0);
  EXPECT_NEAR(num(rows[1][3]), 24.2, 1e-4);
}

TEST_F(OptimizeCliTest, RowZeroIsTheStartWithItsLossAndGradient) {
  const auto rows = ok_csv({"optimize", "--function", "rosenbrock", "--optimizer", "sgd", "--start",
                            "0.5,-0.25", "--steps", "2"});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(num(rows[1][1]), 0.5);
  EXPECT_EQ(num(rows[1][2]), -0.25);
  EXPECT_NEAR(num(rows[1][3]), 25.25, 1e-5);
  // df/dx = -2(1-x) - 400x(y-x^2) = -1 + 100, df/dy = 200(y-x^2) = -100.
  EXPECT_NEAR(num(rows[1][4]), std::hypot(99.0, 100.0), 1e-4);
  EXPECT_EQ(num(rows[1][5]), 1e-3);  // sgd's default lr
}

TEST_F(OptimizeCliTest, SgdOnQuadraticMatchesHandComputation) {
  // f = 0.5 (x^2 + 10 y^2), gradient (x, 10 y): each sgd step multiplies x by 1 - lr and y by
  // 1 - 10 lr. From (1.5, 1) with lr 0.05: x = 1.5 * 0.95^s, y = 0.5^s.
  const auto rows = ok_csv({"optimize", "--function", "quadratic:kappa=10", "--optimizer",
                            "sgd:lr=0.05", "--start", "1.5,1", "--steps", "3"});
  ASSERT_EQ(rows.size(), 5u);
  for (int s = 0; s <= 3; ++s) {
    SCOPED_TRACE("step " + std::to_string(s));
    const Row& r = rows[s + 1];
    const double x = 1.5 * std::pow(0.95, s), y = std::pow(0.5, s);
    EXPECT_EQ(r[0], std::to_string(s));
    EXPECT_NEAR(num(r[1]), x, 1e-6);
    EXPECT_NEAR(num(r[2]), y, 1e-6);
    EXPECT_NEAR(num(r[3]), 0.5 * (x * x + 10 * y * y), 1e-5);
    EXPECT_NEAR(num(r[4]), std::hypot(x, 10 * y), 1e-5);
    EXPECT_NEAR(num(r[5]), 0.05, 1e-12);
  }
}

// Schedule-free paths are the averaged x, the point the method returns. On f = 0.5 (x^2 + 10 y^2)
// schedule-free SGD (lr 0.05, momentum 0.9, constant lr, so c_k = 1 / (k + 1)) is, per
// coordinate with curvature a: z <- z - lr a y;  x <- (1 - c) x + c z;  y = 0.1 z + 0.9 x.
TEST_F(OptimizeCliTest, ScheduleFreePathsAreTheAveragedPoint) {
  const auto rows = ok_csv({"optimize", "--function", "quadratic:kappa=10", "--optimizer",
                            "sgd_schedulefree:lr=0.05", "--start", "1.5,1", "--steps", "4"});
  ASSERT_EQ(rows.size(), 6u);
  double z[2] = {1.5, 1}, x[2] = {1.5, 1}, y[2] = {1.5, 1};
  const double a[2] = {1, 10};
  for (int k = 0; k < 4; ++k) {
    const double c = 1.0 / (k + 1);
    for (int i = 0; i < 2; ++i) {
      z[i] -= 0.05 * a[i] * y[i];
      x[i] = (1 - c) * x[i] + c * z[i];
      y[i] = 0.1 * z[i] + 0.9 * x[i];
    }
    const Row& r = rows[k + 2];
    EXPECT_NEAR(num(r[1]), x[0], 1e-6) << "step " << k + 1;
    EXPECT_NEAR(num(r[2]), x[1], 1e-6) << "step " << k + 1;
    EXPECT_NEAR(num(r[3]), 0.5 * (x[0] * x[0] + 10 * x[1] * x[1]), 1e-5) << "step " << k + 1;
  }
}

TEST_F(OptimizeCliTest, AdamDecreasesRosenbrock) {
  const auto rows = ok_csv(
      {"optimize", "--function", "rosenbrock", "--optimizer", "adam:lr=0.02", "--steps", "300"});
  ASSERT_EQ(rows.size(), 302u);
  const double first = num(rows[1][3]), last = num(rows.back()[3]);
  EXPECT_LT(last, 0.5 * first) << "first " << first << ", last " << last;
}

TEST_F(OptimizeCliTest, SeveralOptimizersShareTheStartAndGainAColumn) {
  const std::string adam = "adam:lr=0.1,beta1=0.8";  // a comma: the field must be quoted
  const CommandResult r = descent({"optimize", "--function", "booth", "--optimizer", "sgd:lr=0.01",
                                   "--optimizer", adam, "--start", "2,-3", "--steps", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"" + adam + "\""), std::string::npos) << r.out;
  const auto rows = parse_csv(r.out);
  ASSERT_EQ(rows.size(), 1u + 2 * 5);
  Row header = {"optimizer"};
  header.insert(header.end(), kHeader.begin(), kHeader.end());
  EXPECT_EQ(rows[0], header);
  for (int k = 0; k < 2; ++k) {
    const std::string name = k == 0 ? "sgd:lr=0.01" : adam;
    for (int s = 0; s <= 4; ++s) {
      const Row& row = rows[1 + k * 5 + s];
      ASSERT_EQ(row.size(), header.size());
      EXPECT_EQ(row[0], name);
      EXPECT_EQ(row[1], std::to_string(s));
    }
    EXPECT_EQ(num(rows[1 + k * 5][2]), 2.0);
    EXPECT_EQ(num(rows[1 + k * 5][3]), -3.0);
  }
  EXPECT_NE(rows[5][2], rows[10][2]) << "both runs ended at the same x";
}

TEST_F(OptimizeCliTest, OutWritesTheSameCsvToAFile) {
  const std::vector<std::string> args = {
      "optimize", "--function", "himmelblau", "--optimizer", "sgd:lr=0.01,momentum=0.9",
      "--steps",  "20"};
  const CommandResult to_stdout = descent(args);
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  std::vector<std::string> with_out = args;
  with_out.push_back("--out");
  with_out.push_back((tmp_ / "path.csv").string());
  const CommandResult to_file = descent(with_out);
  ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_EQ(to_file.out, "");
  EXPECT_EQ(cli_test::read_text(tmp_ / "path.csv"), to_stdout.out);
}

TEST_F(OptimizeCliTest, BadInputsAreRefusedNamingTheProblem) {
  expect_refused({"optimize", "--function", "rosenbrok", "--optimizer", "sgd"}, "rosenbrok");
  expect_refused({"optimize", "--function", "rosenbrok", "--optimizer", "sgd"}, "himmelblau");
  expect_refused({"optimize", "--function", "quadratic:kapa=3", "--optimizer", "sgd"}, "kappa");
  expect_refused({"optimize", "--function", "booth", "--optimizer", "adamm"}, "adamm");
  expect_refused(
      {"optimize", "--function", "booth", "--optimizer", "sgd", "--optimizer", "adam:lr=-1"}, "lr");
  expect_refused({"optimize", "--function", "booth", "--optimizer", "sgd", "--start", "1"},
                 "--start");
  expect_refused({"optimize", "--function", "booth", "--optimizer", "sgd", "--start", "1,abc"},
                 "1,abc");
  expect_refused({"optimize", "--function", "booth", "--optimizer", "sgd", "--start", "1,nan"},
                 "1,nan");
  expect_refused({"optimize", "--function", "booth", "--optimizer", "sgd", "--steps", "-1"},
                 "--steps");
  expect_refused({"optimize", "--optimizer", "sgd"}, "--function");
}

TEST_F(OptimizeCliTest, BenchOptimizerPrintsJson) {
  for (const auto& [spec, bytes_per_param] : std::vector<std::pair<std::string, double>>{
           {"sgd", 12}, {"sgd:momentum=0.9", 20}, {"adam", 28}}) {
    const CommandResult r =
        descent({"bench", "optimizer", "--optimizer", spec, "--params", "1000", "--steps", "5"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out;
    for (const char* key :
         {"optimizer", "params", "steps", "ms_per_step", "gb_per_s", "bytes_per_step"})
      EXPECT_TRUE(j.contains(key)) << key << " missing in " << r.out;
    EXPECT_EQ(j.at("optimizer"), spec);
    EXPECT_EQ(j.at("params"), 1000);
    EXPECT_EQ(j.at("steps"), 5);
    EXPECT_GE(j.at("ms_per_step").get<double>(), 0.0);
    EXPECT_EQ(j.at("bytes_per_step").get<double>(), 1000 * bytes_per_param) << spec;
  }
  const CommandResult list = descent({"bench", "optimizer", "--list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("sgd\n"), std::string::npos);
  EXPECT_NE(list.out.find("adam\n"), std::string::npos);
  const CommandResult bad = descent({"bench", "optimizer", "--optimizer", "nope"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("nope"), std::string::npos) << bad.err;
}

// The step's products of an MLP 4-3-2 at batch 2: forward x W^T per layer, backward g^T x per
// layer and g W for the second only: 2 * 2 * (12 * 2 + 6 * 3) FLOPs, 84 per sample.
TEST_F(OptimizeCliTest, BenchGemmsTimesAStepsProducts) {
  const CommandResult r = descent({"bench", "gemms", "--layers", "4,3,2", "--batch", "2", "--steps",
                                   "3", "--repeats", "1", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out;
  EXPECT_EQ(j.at("flops_per_sample").get<double>(), 84.0);
  EXPECT_EQ(j.at("layers"), nlohmann::json({4, 3, 2}));
  EXPECT_GT(j.at("samples_per_second").get<double>(), 0.0);
  const CommandResult one = descent({"bench", "gemms", "--layers", "5"});
  EXPECT_NE(one.exit_code, 0);
  EXPECT_NE(one.err.find("at least 2 widths"), std::string::npos) << one.err;
}

}  // namespace test_cli_optimize
