// End-to-end tests of descent on the user's own data: CSV files with string or 1..k class labels,
// the fractional test hold-out, the last layer sized from the data, `descent predict` on new CSV
// rows and IDX images, and `descent evaluate --data`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"

namespace test_cli_data {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_text;
using cli_test::write_text;
using nlohmann::json;

const std::vector<std::string> kSpecies = {"setosa", "versicolor", "virginica"};
const std::string kHeader = "sepal_length,sepal_width,petal_length,petal_width,species";

// An iris-like table made up here: each row is one of three species (named by `label`), its four
// measurements drawn around the species' own means, far enough apart to be learnt in a few
// epochs; rows come in a seeded random order.
std::string flowers_csv(int rows, uint32_t seed, const std::vector<std::string>& label,
                        bool header = true) {
  const double means[3][4] = {{5.0, 3.4, 1.5, 0.2}, {5.9, 2.8, 4.3, 1.3}, {6.6, 3.0, 5.6, 2.0}};
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.25);
  std::ostringstream out;
  if (header) out << kHeader << "\n";
  for (int i = 0; i < rows; ++i) {
    const int k = static_cast<int>(rng() % 3);
    for (int j = 0; j < 4; ++j) out << std::round((means[k][j] + noise(rng)) * 10) / 10 << ",";
    out << label[static_cast<size_t>(k)] << "\n";
  }
  return out.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::istringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
  return cells;
}

class CliDataTest : public cli_test::CommandTest {
 protected:
  CliDataTest() : CommandTest("descent-cli-data") {}

  // `descent train` on a CSV file in the working directory, quick; `extra` --set overrides last.
  CommandResult train_csv(const std::string& run, const std::string& file,
                          const std::vector<std::string>& extra = {}) {
    const auto args =
        with_sets({"train", "--out", run, "--no-report"},
                  {"data.name=csv", "data.path=" + file, "train.epochs=15", "train.batch_size=32"});
    return descent(with_sets(args, extra));
  }

  fs::path at(const std::string& name) const { return cwd_ / name; }
};

// The acceptance case of string labels: they become classes in sorted order, the hold-out is a
// fifth of the rows, the last layer has one output per class, and the mapping is saved.
TEST_F(CliDataTest, TrainsOnStringLabelsWithAFractionOfRowsHeldOut) {
  write_text(at("flowers.csv"), flowers_csv(300, 1, kSpecies));
  const CommandResult r = train_csv("run", "flowers.csv", {"data.target=species"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("descent: note: data.path: 3 classes, labels setosa,versicolor,virginica "
                       "-> 0,1,2"),
            std::string::npos)
      << r.err;
  // 300 rows: 60 held out for test, a fifth of the other 240 for validation.
  EXPECT_NE(r.out.find("(192 train, 48 validation, 60 test)"), std::string::npos) << r.out;
  const json data = json::parse(read_text(at("run") / "data.json"));
  EXPECT_EQ(data.at("classes"), json(kSpecies));
  EXPECT_EQ(data.at("features"), 4);
  EXPECT_EQ(data.at("feature_names"),
            json({"sepal_length", "sepal_width", "petal_length", "petal_width"}));
  const std::string toml = read_text(at("run") / "config.toml");
  EXPECT_NE(toml.find("test_size = 0.2"), std::string::npos) << toml;
  EXPECT_NE(toml.find("'linear' ]"), std::string::npos) << toml;  // sized from the data
  // 4*256 + 256 + 256*256 + 256 + 256*3 + 3: one output per class.
  EXPECT_NE(r.out.find("parameters: 67,843"), std::string::npos) << r.out;
  const json summary = json::parse(read_text(at("run") / "summary.json"));
  EXPECT_GT(summary.at("test_accuracy").get<double>(), 0.8);

  // config.toml reads back as it was written: the run resumes with the same split.
  const CommandResult resumed =
      descent({"train", "--resume", "run", "--set", "train.epochs=16", "--no-report"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("(192 train, 48 validation, 60 test)"), std::string::npos)
      << resumed.out;
}

TEST_F(CliDataTest, NumericLabelsOneToThreeAreThreeClasses) {
  write_text(at("ranks.csv"), flowers_csv(200, 2, {"1", "2", "3"}));
  const CommandResult r = train_csv("run", "ranks.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("descent: note: data.path: 3 classes, labels 1,2,3 -> 0,1,2"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(json::parse(read_text(at("run") / "data.json")).at("classes"), json({"1", "2", "3"}));
  // Predictions name the classes by their labels.
  write_text(at("new.csv"), flowers_csv(20, 3, {"1", "2", "3"}));
  const CommandResult p = descent({"predict", "run", "--input", "new.csv"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto lines = lines_of(p.out);
  ASSERT_EQ(lines.size(), 21u) << p.out;
  EXPECT_EQ(lines[0], "1,2,3,predicted");
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string predicted = cells_of(lines[i]).back();
    EXPECT_TRUE(predicted == "1" || predicted == "2" || predicted == "3") << lines[i];
  }
  // Labels 0..k-1 need no mapping, and no note.
  write_text(at("plain.csv"), flowers_csv(200, 2, {"0", "1", "2"}));
  const CommandResult plain = train_csv("plain", "plain.csv");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.err.find("note"), std::string::npos) << plain.err;
}

TEST_F(CliDataTest, TestSizeCountsAndFractionsAreChecked) {
  write_text(at("flowers.csv"), flowers_csv(300, 1, kSpecies));
  const CommandResult big =
      train_csv("big", "flowers.csv", {"data.target=species", "data.test_size=500"});
  EXPECT_EQ(big.exit_code, 1);
  EXPECT_NE(big.err.find("data.test_size = 500 leaves no training rows (flowers.csv has 300"),
            std::string::npos)
      << big.err;
  EXPECT_FALSE(fs::exists(at("big")));
  const CommandResult bad =
      train_csv("bad", "flowers.csv", {"data.target=species", "data.test_size=1.5"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("data.test_size = 1.5"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("a fraction in (0, 1)"), std::string::npos) << bad.err;
  // A count still counts rows, and is written back as an integer.
  const CommandResult count = train_csv(
      "count", "flowers.csv", {"data.target=species", "data.test_size=100", "train.epochs=1"});
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_NE(count.out.find("(160 train, 40 validation, 100 test)"), std::string::npos) << count.out;
  EXPECT_NE(read_text(at("count") / "config.toml").find("test_size = 100\n"), std::string::npos);
}

TEST_F(CliDataTest, AnExplicitLastLayerMustFitTheClasses) {
  write_text(at("flowers.csv"), flowers_csv(100, 1, kSpecies));
  const CommandResult r =
      train_csv("run", "flowers.csv", {"data.target=species", R"(model.layers=["linear:out=5"])"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("model.layers ends with 5 outputs, but flowers.csv has 3 classes"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(at("run")));
}

TEST_F(CliDataTest, PredictsClassProbabilitiesFromCsvRows) {
  write_text(at("flowers.csv"), flowers_csv(300, 1, kSpecies));
  ASSERT_EQ(train_csv("run", "flowers.csv", {"data.target=species"}).exit_code, 0);
  // New rows with the species column too (ignored), the columns in another order.
  std::string shuffled = "species,petal_width,sepal_length,sepal_width,petal_length\n";
  std::vector<std::string> truth;
  for (const std::string& line : lines_of(flowers_csv(50, 9, kSpecies, false))) {
    const auto c = cells_of(line);
    shuffled += c[4] + "," + c[3] + "," + c[0] + "," + c[1] + "," + c[2] + "\n";
    truth.push_back(c[4]);
  }
  write_text(at("new.csv"), shuffled);
  const CommandResult r = descent({"predict", "run", "--input", "new.csv", "--out", "p.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote p.csv (50 rows: 3 class probabilities, predicted)"),
            std::string::npos)
      << r.out;
  const auto lines = lines_of(read_text(at("p.csv")));
  ASSERT_EQ(lines.size(), 51u);
  EXPECT_EQ(lines[0], "setosa,versicolor,virginica,predicted");
  int right = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto cells = cells_of(lines[i]);
    ASSERT_EQ(cells.size(), 4u) << lines[i];
    const std::vector<double> p = {std::stod(cells[0]), std::stod(cells[1]), std::stod(cells[2])};
    EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-5) << lines[i];
    const size_t best = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
    EXPECT_EQ(cells[3], kSpecies[best]) << lines[i];
    right += cells[3] == truth[i - 1];
  }
  EXPECT_GE(right, 40);
  // Without --out the same CSV goes to stdout; rows without a header go by position (the
  // species column, where the training file had it, left out).
  write_text(at("bare.csv"), flowers_csv(50, 9, kSpecies, false));
  const CommandResult bare = descent({"predict", "run", "--input", "bare.csv"});
  ASSERT_EQ(bare.exit_code, 0) << bare.err;
  EXPECT_EQ(bare.out, read_text(at("p.csv")));
}

TEST_F(CliDataTest, PredictRefusesInputsThatDoNotFitAndWritesNothing) {
  write_text(at("flowers.csv"), flowers_csv(100, 1, kSpecies));
  ASSERT_EQ(train_csv("run", "flowers.csv", {"data.target=species", "train.epochs=1"}).exit_code,
            0);
  const auto refused = [&](const std::string& text, const std::vector<std::string>& expected) {
    write_text(at("new.csv"), text);
    const CommandResult r = descent({"predict", "run", "--input", "new.csv", "--out", "p.csv"});
    EXPECT_EQ(r.exit_code, 1) << text;
    for (const auto& e : expected) EXPECT_NE(r.err.find(e), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(at("p.csv")));
  };
  refused("1,2,3\n4,5,6\n", {"new.csv:1: has 3 columns, expected 4 (the model's inputs) or 5"});
  refused("5.1,3.5,1.4,0.2\n4.9,abc,1.4,0.2\n", {"new.csv:2: column 2 ('abc') is not a finite"});
  refused("sepal_length,sepal_width,petal_length\n5.1,3.5,1.4\n",
          {"new.csv:1: no column named 'petal_width'"});
  refused("1,2,3,4,5,6\n", {"new.csv:1: has 6 columns, expected 4 (the model's inputs) or 5"});
  // One row without a header, the species column where the training file had it: read by
  // position, the label left out.
  write_text(at("one.csv"), "5.1,3.5,1.4,0.2,setosa\n");
  const CommandResult one = descent({"predict", "run", "--input", "one.csv"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(lines_of(one.out).size(), 2u) << one.out;
  // A command line that cannot be used: exit 2.
  EXPECT_EQ(descent({"predict", "run"}).exit_code, 2);
  EXPECT_EQ(descent({"predict", "run", "--input", "missing.csv"}).exit_code, 2);
}

TEST_F(CliDataTest, EvaluatesOnAnotherLabelledFile) {
  write_text(at("flowers.csv"), flowers_csv(300, 1, kSpecies));
  ASSERT_EQ(train_csv("run", "flowers.csv", {"data.target=species"}).exit_code, 0);
  write_text(at("other.csv"), flowers_csv(80, 5, kSpecies));
  const CommandResult r = descent({"evaluate", "run", "--data", "other.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json on_other = json::parse(r.out);
  const json on_test = json::parse(descent({"evaluate", "run"}).out);
  for (const auto& [key, value] : on_test.items()) EXPECT_TRUE(on_other.contains(key)) << key;
  EXPECT_EQ(on_other.at("examples"), 80);
  EXPECT_EQ(on_test.at("examples"), 60);
  EXPECT_GT(on_other.at("test_accuracy").get<double>(), 0.8);

  write_text(at("odd.csv"), kHeader + "\n5.1,3.5,1.4,0.2,setosa\n6.0,2.9,4.5,1.5,purple\n");
  const CommandResult odd = descent({"evaluate", "run", "--data", "odd.csv"});
  EXPECT_EQ(odd.exit_code, 1);
  EXPECT_NE(odd.err.find("odd.csv:3: column 5: label 'purple' is not one of the 3 classes"),
            std::string::npos)
      << odd.err;
  EXPECT_EQ(descent({"evaluate", "run", "--data", "other.csv", "--labels", "other.csv"}).exit_code,
            2);
}

TEST_F(CliDataTest, ATestFileWithALabelTrainingNeverSawIsRefused) {
  write_text(at("flowers.csv"), flowers_csv(100, 1, kSpecies));
  write_text(at("test.csv"), kHeader + "\n5.1,3.5,1.4,0.2,setosa\n6.0,2.9,4.5,1.5,purple\n");
  const CommandResult r =
      train_csv("run", "flowers.csv", {"data.target=species", "data.test_path=test.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("test.csv:3: column 5: label 'purple'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(at("run")));
}

TEST_F(CliDataTest, PredictsRegressionValuesAndReconstructions) {
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> u(-1, 1);
  std::string table = "a,b,y\n";
  for (int i = 0; i < 200; ++i) {
    const double a = u(rng), b = u(rng);
    table += std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(a - 2 * b) + "\n";
  }
  write_text(at("line.csv"), table);
  ASSERT_EQ(
      train_csv("reg", "line.csv", {"data.target=y", "data.task=regression", "train.loss=mse"})
          .exit_code,
      0);
  write_text(at("new.csv"), "a,b\n0.5,0.25\n-0.5,0.5\n");
  const CommandResult r = descent({"predict", "reg", "--input", "new.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0], "y");
  EXPECT_NEAR(std::stod(lines[1]), 0.0, 0.3);
  EXPECT_NEAR(std::stod(lines[2]), -1.5, 0.3);

  // An autoencoder gives back its reconstructions, in the input columns' names.
  ASSERT_EQ(train_csv("ae", "line.csv",
                      {"data.target=y", "data.task=regression", "model.kind=autoencoder",
                       "model.code=2", "train.epochs=2"})
                .exit_code,
            0);
  const CommandResult ae = descent({"predict", "ae", "--input", "new.csv"});
  ASSERT_EQ(ae.exit_code, 0) << ae.err;
  const auto rows = lines_of(ae.out);
  ASSERT_EQ(rows.size(), 3u) << ae.out;
  EXPECT_EQ(rows[0], "a,b");
  EXPECT_EQ(cells_of(rows[1]).size(), 2u);
}

class CliImageDataTest : public CliDataTest {
 protected:
  void SetUp() override {
    CliDataTest::SetUp();
    cli_test::write_fake_fashion_mnist(tmp_ / "data");
  }
  fs::path images() const { return tmp_ / "data" / "t10k-images-idx3-ubyte.gz"; }
  fs::path labels() const { return tmp_ / "data" / "t10k-labels-idx1-ubyte.gz"; }
};

TEST_F(CliImageDataTest, DefaultLayersAreStill784To256To256To10) {
  const CommandResult r = descent({"summary", "--set", "data.dir=" + (tmp_ / "data").string(),
                                   "--set", "data.validation_size=100"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 784*256 + 256 + 256*256 + 256 + 256*10 + 10
  EXPECT_NE(r.out.find("parameters: 269,322"), std::string::npos) << r.out;
}

TEST_F(CliImageDataTest, PredictsAndEvaluatesOnIdxFiles) {
  ASSERT_EQ(descent({"train", "--out", "run", "--no-report", "--set",
                     "data.dir=" + (tmp_ / "data").string(), "--set", "data.validation_size=100",
                     "--set", "train.epochs=2", "--set", "train.batch_size=32", "--set",
                     R"(model.layers=["linear:out=32","relu","linear"])"})
                .exit_code,
            0);
  const json data = json::parse(read_text(at("run") / "data.json"));
  EXPECT_EQ(data.at("image"), json({28, 28}));
  EXPECT_EQ(data.at("classes").size(), 10u);

  const CommandResult p =
      descent({"predict", "run", "--input", images().string(), "--out", "p.csv"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto lines = lines_of(read_text(at("p.csv")));
  ASSERT_EQ(lines.size(), 201u);
  EXPECT_EQ(lines[0].rfind("T-shirt/top,Trouser,Pullover,", 0), 0u) << lines[0];
  EXPECT_EQ(cells_of(lines[1]).size(), 11u);

  // The test files named as --data give what evaluate gives on the run's test set.
  const CommandResult on_files =
      descent({"evaluate", "run", "--data", images().string(), "--labels", labels().string()});
  ASSERT_EQ(on_files.exit_code, 0) << on_files.err;
  EXPECT_EQ(json::parse(on_files.out), json::parse(descent({"evaluate", "run"}).out));
  EXPECT_EQ(descent({"evaluate", "run", "--data", images().string()}).exit_code, 2);

  // Images of another size, and CSV for an image run, are refused naming the file.
  std::vector<uint8_t> small(3 * 10 * 10, 7);
  cli_test::write_gzip(at("small-images-idx3-ubyte.gz"), cli_test::idx_ubyte({3, 10, 10}, small));
  const CommandResult wrong =
      descent({"predict", "run", "--input", "small-images-idx3-ubyte.gz", "--out", "q.csv"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("images of 10x10 pixels, but the run's model takes 28x28 (784 values)"),
            std::string::npos)
      << wrong.err;
  EXPECT_FALSE(fs::exists(at("q.csv")));
  write_text(at("rows.csv"), "1,2,3\n");
  const CommandResult csv = descent({"predict", "run", "--input", "rows.csv"});
  EXPECT_EQ(csv.exit_code, 1);
  EXPECT_NE(csv.err.find("IDX"), std::string::npos) << csv.err;
}

}  // namespace test_cli_data
