// CSV reading, synthetic sets, hold-out splits and the loader.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "descent/data/csv.h"
#include "descent/data/idx.h"
#include "descent/data/loader.h"
#include "descent/data/synthetic.h"

namespace descent {
namespace test_data {

namespace fs = std::filesystem;

class CsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("descent-csv-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& text) {
    const fs::path p = dir_ / "data.csv";
    std::ofstream(p) << text;
    return p;
  }
  // The DataError message of reading `text`, or "" when it reads.
  std::string error_of(const std::string& text, CsvOptions options = {}) {
    try {
      read_csv_dataset(write(text), options);
    } catch (const DataError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(CsvTest, HeaderDetectedAndTargetByName) {
  CsvOptions o;
  o.target = "label";
  o.classification = true;
  Dataset d = read_csv_dataset(write("a,label,b\n1,0,2\n3,2,4\n5,1,6\n"), o);
  EXPECT_EQ(d.inputs.shape(), (Shape{3, 2}));
  EXPECT_EQ(d.inputs.to_vector(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(d.targets.to_vector(), (std::vector<float>{0, 2, 1}));
  EXPECT_EQ(d.num_classes, 3);
}

TEST_F(CsvTest, NoHeaderTargetByIndexRegression) {
  Dataset d = read_csv_dataset(write("1,2,0.5\n3,4,-1.5\n\n"), {});  // a blank line is skipped
  EXPECT_EQ(d.inputs.shape(), (Shape{2, 2}));
  EXPECT_EQ(d.targets.shape(), (Shape{2, 1}));
  EXPECT_EQ(d.targets.to_vector(), (std::vector<float>{0.5f, -1.5f}));
  EXPECT_EQ(d.num_classes, 0);
  CsvOptions first;
  first.target = "0";
  Dataset e = read_csv_dataset(write("1,2,0.5\n3,4,-1.5\n"), first);
  EXPECT_EQ(e.targets.to_vector(), (std::vector<float>{1, 3}));
  EXPECT_EQ(e.inputs.to_vector(), (std::vector<float>{2, 0.5f, 4, -1.5f}));
}

TEST_F(CsvTest, RaggedRowNamesLineAndCounts) {
  const std::string msg = error_of("x,y,t\n1,2,3\n4,5\n");
  EXPECT_NE(msg.find("data.csv:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("has 2 columns, expected 3"), std::string::npos) << msg;
}

TEST_F(CsvTest, NonNumericCellNamesLineAndColumn) {
  const std::string msg = error_of("1,2,3\n4,abc,6\n");
  EXPECT_NE(msg.find("data.csv:2: column 2 ('abc')"), std::string::npos) << msg;
  EXPECT_NE(error_of("1,2,3\n4,nan,6\n").find("column 2"), std::string::npos);
}

TEST_F(CsvTest, BadTargetsAreNamed) {
  CsvOptions by_name;
  by_name.target = "nope";
  EXPECT_NE(error_of("a,b\n1,2\n", by_name).find("no column named 'nope' (columns: a, b)"),
            std::string::npos);
  CsvOptions out_of_range;
  out_of_range.target = "5";
  EXPECT_NE(error_of("1,2\n", out_of_range).find("out of range"), std::string::npos);
  CsvOptions labels;
  labels.classification = true;
  EXPECT_NE(error_of("1,2.5\n", labels).find("not a class label"), std::string::npos);
  EXPECT_NE(error_of("").find("no rows"), std::string::npos);
}

TEST_F(CsvTest, StringLabelsBecomeClassesInSortedOrder) {
  CsvOptions o;
  o.target = "species";
  o.classification = true;
  Dataset d = read_csv_dataset(write("x,species,y\n1,virginica,2\n3,setosa,4\n5,versicolor,6\n"
                                     "7,setosa,8\n"),
                               o);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(d.targets.to_vector(), (std::vector<float>{2, 0, 1, 0}));
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"x", "y"}));
  // Without a header line: a label column holds names on every line, so the first is data.
  CsvOptions last;
  last.classification = true;
  Dataset bare = read_csv_dataset(write("5.1,3.5,setosa\n6.2,2.9,versicolor\n"), last);
  EXPECT_EQ(bare.size(), 2);
  EXPECT_TRUE(bare.feature_names.empty());
  EXPECT_EQ(bare.class_names, (std::vector<std::string>{"setosa", "versicolor"}));
}

TEST_F(CsvTest, NumericLabelsAreTheClassesThatOccur) {
  CsvOptions o;
  o.classification = true;
  Dataset d = read_csv_dataset(write("0.5,3\n0.1,1\n0.2,2\n0.3,3\n"), o);
  EXPECT_EQ(d.num_classes, 3);  // labels 1, 2, 3: three classes, not four
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(d.targets.to_vector(), (std::vector<float>{2, 0, 1, 2}));
  Dataset signs = read_csv_dataset(write("0.5,-1\n0.1,1\n"), o);
  EXPECT_EQ(signs.class_names, (std::vector<std::string>{"-1", "1"}));
}

TEST_F(CsvTest, GivenClassesMapLabelsAndRefuseUnknownOnes) {
  CsvOptions o;
  o.classification = true;
  o.classes = {"1", "2", "3"};
  Dataset d = read_csv_dataset(write("0.5,2.0\n0.1,3\n"), o);  // by value: 2.0 is class "2"
  EXPECT_EQ(d.targets.to_vector(), (std::vector<float>{1, 2}));
  EXPECT_EQ(d.num_classes, 3);
  const std::string msg = error_of("0.5,2\n0.1,4\n", o);
  EXPECT_NE(msg.find("data.csv:2: column 2: label '4' is not one of the 3 classes of the training "
                     "data (1, 2, 3)"),
            std::string::npos)
      << msg;
  o.classes = {"a", "b"};
  EXPECT_NE(error_of("0.5,a\n0.1,c\n", o).find("label 'c'"), std::string::npos);
}

TEST_F(CsvTest, QuotedCellsMayHoldCommas) {
  CsvOptions o;
  o.target = "kind";
  o.classification = true;
  Dataset d =
      read_csv_dataset(write("\"width, cm\",kind\n1.5,\"big, red\"\n2,\"say \"\"hi\"\"\"\n"), o);
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"width, cm"}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"big, red", "say \"hi\""}));
  EXPECT_NE(error_of("1,\"open\n").find("data.csv:1: a quoted cell is not closed"),
            std::string::npos);
}

TEST_F(CsvTest, InputsAloneGoByNameOrPosition) {
  CsvOptions o;
  o.target = "t";
  o.inputs = {2, {"a", "b"}, 1};
  // By name: any order, the target and other columns left out.
  Tensor x = read_csv_inputs(write("b,id,a,t\n2,9,1,0\n4,9,3,1\n"), o);
  EXPECT_EQ(x.shape(), (Shape{2, 2}));
  EXPECT_EQ(x.to_vector(), (std::vector<float>{1, 2, 3, 4}));
  // Without a header: a named target by its column in the training file (a, t, b).
  EXPECT_EQ(read_csv_inputs(write("1,0,2\n3,1,4\n"), o).to_vector(),
            (std::vector<float>{1, 2, 3, 4}));
  // By position, with or without an index target.
  CsvOptions by_index;
  by_index.target = "-1";
  by_index.inputs = {2, {}, -1};
  EXPECT_EQ(read_csv_inputs(write("1,2\n3,4\n"), by_index).to_vector(),
            (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(read_csv_inputs(write("1,2,0\n3,4,1\n"), by_index).to_vector(),
            (std::vector<float>{1, 2, 3, 4}));
  std::string msg;
  try {
    read_csv_inputs(write("1,2,3,4\n"), by_index);
  } catch (const DataError& e) {
    msg = e.what();
  }
  EXPECT_NE(
      msg.find("data.csv:1: has 4 columns, expected 2 (the model's inputs) or 3 (with the target "
               "column)"),
      std::string::npos)
      << msg;
}

TEST_F(CsvTest, ALabelledFileForATrainedModelHasItsColumns) {
  CsvOptions o;
  o.inputs = {2, {}, -1};
  EXPECT_EQ(read_csv_dataset(write("1,2,0.5\n"), o).inputs.to_vector(), (std::vector<float>{1, 2}));
  EXPECT_NE(error_of("1,2,3,0.5\n", o)
                .find("data.csv:1: has 4 columns, expected 3 (the 2 inputs the model was trained "
                      "on, and the target)"),
            std::string::npos);
}

TEST(Synthetic, ShapesBalanceAndDeterminism) {
  for (const std::string& name : synthetic_dataset_names()) {
    Generator a(7), b(7), c(8);
    SyntheticOptions o;
    o.size = 300;
    Dataset d = make_synthetic_dataset(name, o, a);
    Dataset same = make_synthetic_dataset(name, o, b);
    Dataset other = make_synthetic_dataset(name, o, c);
    EXPECT_EQ(d.inputs.to_vector(), same.inputs.to_vector()) << name;
    EXPECT_NE(d.inputs.to_vector(), other.inputs.to_vector()) << name;
    EXPECT_EQ(d.size(), 300) << name;
    if (name == "sine") {
      EXPECT_EQ(d.inputs.shape(), (Shape{300, 1}));
      EXPECT_EQ(d.targets.shape(), (Shape{300, 1}));
      continue;
    }
    EXPECT_EQ(d.inputs.shape(), (Shape{300, 2})) << name;
    std::map<float, int> counts;
    for (float y : d.targets.values()) counts[y]++;
    EXPECT_EQ(static_cast<int64_t>(counts.size()), d.num_classes) << name;
    if (name != "xor") {  // xor's labels follow the points; the others are balanced by design
      for (auto& [label, count] : counts) EXPECT_EQ(count, 300 / d.num_classes) << name;
    }
  }
}

TEST(Synthetic, GeometryMatchesTheDefinition) {
  Generator gen(1);
  SyntheticOptions o;
  o.size = 200;
  o.noise = 0;
  Dataset circles = make_synthetic_dataset("circles", o, gen);
  for (int64_t i = 0; i < circles.size(); ++i) {
    const float x = circles.inputs.data()[2 * i], y = circles.inputs.data()[2 * i + 1];
    EXPECT_NEAR(std::hypot(x, y), circles.targets.data()[i] == 0 ? 1.0 : 0.5, 1e-5);
  }
  Dataset sine = make_synthetic_dataset("sine", o, gen);
  for (int64_t i = 0; i < sine.size(); ++i)
    EXPECT_NEAR(sine.targets.data()[i], std::sin(sine.inputs.data()[i]), 1e-6);
  Dataset xor_set = make_synthetic_dataset("xor", o, gen);
  for (int64_t i = 0; i < xor_set.size(); ++i) {
    const float x = xor_set.inputs.data()[2 * i], y = xor_set.inputs.data()[2 * i + 1];
    EXPECT_EQ(xor_set.targets.data()[i], ((x > 0) != (y > 0)) ? 1.0f : 0.0f);
  }
  EXPECT_THROW(make_synthetic_dataset("swirl", o, gen), std::invalid_argument);
}

TEST(HoldOut, DisjointSeededAndOrdered) {
  Dataset d;
  d.name = "ten";
  std::vector<float> v(10);
  for (int i = 0; i < 10; ++i) v[i] = static_cast<float>(i);
  d.inputs = Tensor::from({10, 1}, v);
  d.targets = Tensor::from({10}, v);
  Generator g1(3), g2(3);
  auto a = hold_out(d, 4, g1);
  auto b = hold_out(d, 4, g2);
  EXPECT_EQ(a.validation.inputs.to_vector(), b.validation.inputs.to_vector());
  EXPECT_EQ(a.train.size(), 6);
  std::set<float> all;
  for (float x : a.train.inputs.values()) all.insert(x);
  for (float x : a.validation.inputs.values()) all.insert(x);
  EXPECT_EQ(all.size(), 10u);
  const auto t = a.train.inputs.to_vector();
  EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
  Generator g3(3);
  EXPECT_THROW(hold_out(d, 10, g3), std::invalid_argument);
}

TEST(Loader, BatchesCoverTheEpochAndDropLast) {
  Dataset d;
  std::vector<float> v(10);
  for (int i = 0; i < 10; ++i) v[i] = static_cast<float>(i);
  d.inputs = Tensor::from({10, 1}, v);
  d.targets = Tensor::from({10}, v);
  Generator gen(0);
  DataLoader keep(d, 4, true, false);
  EXPECT_EQ(keep.num_batches(), 3);
  keep.start_epoch(gen);
  std::vector<float> seen;
  Batch b;
  std::vector<int64_t> sizes;
  while (keep.next(b)) {
    sizes.push_back(b.size());
    for (int64_t i = 0; i < b.size(); ++i) {
      EXPECT_EQ(b.inputs.data()[i], b.targets.data()[i]);  // rows stay paired
      seen.push_back(b.inputs.data()[i]);
    }
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 2}));
  std::vector<float> sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, v);
  EXPECT_NE(seen, v);  // shuffled
  DataLoader drop(d, 4, false, true);
  EXPECT_EQ(drop.num_batches(), 2);
  drop.start_epoch(gen);
  int batches = 0;
  while (drop.next(b)) ++batches;
  EXPECT_EQ(batches, 2);
}

}  // namespace test_data
}  // namespace descent
