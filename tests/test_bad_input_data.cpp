// Data files that once were read wrongly without a word, or refused with a message that did not
// say what was wrong: each is read right now, or refused naming the file, the place and what is
// expected.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "descent/data/csv.h"
#include "descent/data/fashion_mnist.h"
#include "descent/data/idx.h"
#include "throws_with.h"

namespace descent {
namespace test_bad_input_data {

namespace fs = std::filesystem;
using testutil::throws_with;

class BadInputData : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("descent_bad_data_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path write(const std::string& name, const std::string& bytes) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  Dataset read_csv(const fs::path& path) {
    CsvOptions options;
    options.classification = true;
    return read_csv_dataset(path, options);
  }
  fs::path dir_;
};

// A float32 IDX file of labels.
std::string float_labels(const std::vector<float>& values) {
  std::string out = {0, 0, 0x0D, 1, 0, 0, 0, static_cast<char>(values.size())};
  for (float v : values) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(bits >> shift);
  }
  return out;
}

const std::string kRows = "1.0,2.0,0\n1.5,2.5,1\n3.0,1.0,0\n2.0,2.0,1\n";

TEST_F(BadInputData, CsvByteOrderMarkIsStrippedAndKeepsTheFirstRow) {
  const Dataset plain = read_csv(write("plain.csv", kRows));
  const Dataset marked = read_csv(write("bom.csv", "\xEF\xBB\xBF" + kRows));
  ASSERT_EQ(marked.size(), 4);  // the mark once made row 1 a header
  EXPECT_EQ(marked.size(), plain.size());
  EXPECT_EQ(marked.inputs.data()[0], 1.0f);
  EXPECT_TRUE(marked.feature_names.empty());
  // With a header, the first column's name is read without the mark.
  const Dataset named = read_csv(write("named.csv",
                                       "\xEF\xBB\xBF"
                                       "a,b,y\n" +
                                           kRows));
  ASSERT_EQ(named.feature_names.size(), 2u);
  EXPECT_EQ(named.feature_names[0], "a");
}

TEST_F(BadInputData, CsvLineEndingsCrLfAndCrAloneAllEndLines) {
  std::string crlf, cr;
  for (char c : kRows) {
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    cr += c == '\n' ? '\r' : c;
  }
  for (const auto& [name, text] : {std::pair{"crlf.csv", crlf}, std::pair{"cr.csv", cr}}) {
    const Dataset d = read_csv(write(name, text));
    EXPECT_EQ(d.size(), 4) << name;
    EXPECT_EQ(d.inputs.data()[2], 1.5f) << name;
  }
  // A lone "\r" counts as a line for the line numbers in messages.
  EXPECT_TRUE(throws_with<DataError>([&] { read_csv(write("bad.csv", "1,2,0\r1,x,1\r")); },
                                     {"bad.csv:2: column 2 ('x') is not a finite number"}));
}

TEST_F(BadInputData, CsvPathThatIsADirectoryOrEmptySaysSo) {
  fs::create_directories(dir_ / "rows.csv");
  EXPECT_TRUE(throws_with<DataError>([&] { read_csv(dir_ / "rows.csv"); },
                                     {"rows.csv: is a directory, not a CSV file"}));
  EXPECT_TRUE(throws_with<DataError>([&] { read_csv(write("blank.csv", "\n  \n")); },
                                     {"blank.csv: no rows (the file is empty or blank)"}));
  EXPECT_TRUE(
      throws_with<DataError>([&] { read_csv(dir_ / "missing.csv"); },
                             {"missing.csv: cannot open CSV file: No such file or directory"}));
}

TEST_F(BadInputData, CsvHugeCellIsQuotedCutShort) {
  const std::string cell(1000000, 'x');
  const fs::path path = write("huge.csv", "1,2,0\n1," + cell + ",1\n");
  try {
    read_csv(path);
    ADD_FAILURE() << "a non-number cell was accepted";
  } catch (const DataError& e) {
    const std::string what = e.what();
    EXPECT_LT(what.size(), 300u);
    EXPECT_NE(what.find("huge.csv:2: column 2 ('xxxx"), std::string::npos) << what;
    EXPECT_NE(what.find("... (1000000 characters)') is not a finite number"), std::string::npos)
        << what;
  }
}

TEST_F(BadInputData, IdxLabelsThatAreNaNOrFractionsAreNoClassIndex) {
  const fs::path images = dir_ / "images";
  for (const auto& [name, value, shown] :
       {std::tuple{"half.idx", 2.5f, "is 2.5"}, std::tuple{"nan.idx", NAN, "is nan"},
        std::tuple{"ten.idx", 10.0f, "is 10"}, std::tuple{"negative.idx", -1.0f, "is -1"}}) {
    const fs::path labels = write(name, float_labels({1, value, 3}));
    EXPECT_TRUE(throws_with<DataError>(
        [&] { read_idx_labels(labels, 3, images); },
        {labels.string() + ": label 1 " + shown, "expected a class index, an integer 0..9"}))
        << name;
  }
  const fs::path good = write("good.idx", float_labels({0, 9, 3}));
  EXPECT_EQ(read_idx_labels(good, 3, images).data()[1], 9.0f);
}

TEST_F(BadInputData, IdxImagesWithNonFinitePixelsAreRefused) {
  std::string file = {0, 0, 0x0D, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2};
  for (float v : {0.5f, static_cast<float>(INFINITY)}) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    for (int shift = 24; shift >= 0; shift -= 8) file += static_cast<char>(bits >> shift);
  }
  const fs::path path = write("images.idx", file);
  int64_t rows = 0, cols = 0;
  EXPECT_TRUE(throws_with<DataError>([&] { read_idx_images(path, rows, cols); },
                                     {path.string() + ": pixel 1 of image 0 is inf"}));
}

TEST_F(BadInputData, DataDirThatIsAFileSaysItIsAFile) {
  const fs::path file = write("not-a-dir", "x");
  EXPECT_TRUE(throws_with<DataError>([&] { load_fashion_mnist(file); },
                                     {"'" + file.string() + "' is a file, not a directory"}));
  EXPECT_TRUE(throws_with<DataError>([&] { load_fashion_mnist(dir_ / "nowhere"); },
                                     {"nowhere' does not exist"}));
}

}  // namespace test_bad_input_data
}  // namespace descent
