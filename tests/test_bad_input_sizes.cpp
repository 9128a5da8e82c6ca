// Sizes that come from input (an IDX header, a gzip stream, a SPEC's nesting, a tensor's shape)
// are bounded by what the input can hold and by the memory left, and refused with a message that
// says how much they need, before anything that large is allocated.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include "descent/data/csv.h"
#include "descent/data/idx.h"
#include "descent/optim/sgd.h"
#include "descent/schedule/factory.h"
#include "descent/tensor/tensor.h"
#include "descent/util/excerpt.h"
#include "descent/util/memory.h"
#include "descent/util/spec.h"
#include "descent/util/work_context.h"
#include "throws_with.h"

namespace descent {
namespace test_bad_input_sizes {

namespace fs = std::filesystem;
using testutil::throws_with;

class BadInputSizes : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("descent_sizes_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

std::vector<uint8_t> idx_header(uint8_t type, const std::vector<uint32_t>& dims) {
  std::vector<uint8_t> out = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(d >> shift));
  return out;
}

// A gzip file of `head` followed by `zeros` zero bytes, compressed as it is written (so the test
// holds no more than a megabyte of it).
void write_gzip_with_zeros(const fs::path& path, const std::vector<uint8_t>& head, uint64_t zeros) {
  gzFile f = gzopen(path.c_str(), "wb9");
  ASSERT_NE(f, nullptr);
  gzwrite(f, head.data(), static_cast<unsigned>(head.size()));
  const std::vector<uint8_t> block(1 << 20, 0);
  for (uint64_t left = zeros; left > 0;) {
    const auto n = static_cast<unsigned>(std::min<uint64_t>(left, block.size()));
    ASSERT_EQ(gzwrite(f, block.data(), n), static_cast<int>(n));
    left -= n;
  }
  ASSERT_EQ(gzclose(f), Z_OK);
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST_F(BadInputSizes, GzipBombStopsOneBytePastTheSizeItsIdxHeaderDeclares) {
  // 10 images of 28 x 28 declared, 64 MB of zeros inflated from about 64 KB.
  const fs::path bomb = dir_ / "bomb.gz";
  write_gzip_with_zeros(bomb, idx_header(0x08, {10, 28, 28}), uint64_t{64} << 20);
  ASSERT_LT(fs::file_size(bomb), 1u << 20);
  const long rss_before = peak_rss_kb();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(throws_with<DataError>(
      [&] { read_idx(bomb); },
      {bomb.string(), "inflates to more than the 7856 bytes", "dims 10x28x28, type ubyte"}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // Read a chunk at a time: nothing near the 64 MB was allocated.
  EXPECT_LT(peak_rss_kb() - rss_before, 32 * 1024);
}

TEST_F(BadInputSizes, IdxHeaderDeclaringMoreThanTheGzipCanInflateIsRefusedBeforeAllocating) {
  // 60000 x 28 x 28 x 100 ubyte = 4.7 GB declared by a file of a few hundred bytes.
  const fs::path lying = dir_ / "lying.gz";
  write_gzip_with_zeros(lying, idx_header(0x08, {60000, 28, 28, 100}), 1000);
  EXPECT_TRUE(throws_with<DataError>(
      [&] { read_idx(lying); },
      {lying.string(), "declares 4704000000 bytes of data", "inflate to at most"}));
}

TEST_F(BadInputSizes, RawIdxHeaderLargerThanTheFileIsTruncatedBeforeAllocating) {
  const fs::path raw = dir_ / "raw.idx";
  std::vector<uint8_t> bytes = idx_header(0x0D, {4000000000u, 1000});
  bytes.resize(bytes.size() + 64);
  std::ofstream(raw, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  EXPECT_TRUE(throws_with<DataError>(
      [&] { read_idx(raw); },
      {raw.string(), "truncated: expected 16000000000000 bytes of data, found 64"}));
}

// A file of `bytes` bytes that starts with `head` and takes no disk space (a sparse file); false
// where the file system cannot hold one.
bool write_sparse(const fs::path& path, const std::vector<uint8_t>& head, uintmax_t bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(head.data()), static_cast<std::streamsize>(head.size()));
  std::error_code ec;
  fs::resize_file(path, bytes, ec);
  return !ec;
}

TEST_F(BadInputSizes, IdxDataBeyondMemoryIsRefusedNamingTheFileAndSizes) {
  const fs::path huge = dir_ / "huge.idx";
  const std::vector<uint8_t> head = idx_header(0x08, {1000000, 1000000});
  if (!write_sparse(huge, head, head.size() + uintmax_t{1000000000000}))
    GTEST_SKIP() << "no sparse files here";
  EXPECT_TRUE(throws_with<MemoryLimitError>(
      [&] { read_idx(huge); },
      {huge.string() + ": 1000000000000 values (dims 1000000x1000000, type ubyte) needs 4.0 TB"}));
}

TEST_F(BadInputSizes, CsvFileBeyondMemoryIsRefusedBeforeReading) {
  const fs::path huge = dir_ / "huge.csv";
  const std::string row = "1,2,0\n";
  if (!write_sparse(huge, std::vector<uint8_t>(row.begin(), row.end()), uintmax_t{1} << 42))
    GTEST_SKIP() << "no sparse files here";
  CsvOptions options;
  EXPECT_TRUE(
      throws_with<MemoryLimitError>([&] { read_csv_dataset(huge, options); },
                                    {huge.string() + " (the CSV file's text) needs 4.4 TB"}));
}

TEST_F(BadInputSizes, GzipIdxOfManyMembersStillReadsWhole) {
  // The streaming reader keeps reading members across its input chunks.
  const fs::path both = dir_ / "members.gz";
  std::vector<uint8_t> head = idx_header(0x08, {3, 1 << 20});
  write_gzip_with_zeros(dir_ / "a.gz", head, 1 << 20);
  write_gzip_with_zeros(dir_ / "b.gz", {}, 2 << 20);
  {
    std::ofstream out(both, std::ios::binary);
    for (const char* part : {"a.gz", "b.gz"})
      out << std::ifstream(dir_ / part, std::ios::binary).rdbuf();
  }
  const IdxArray a = read_idx(both);
  EXPECT_EQ(a.values.size(), size_t{3} << 20);
  EXPECT_EQ(a.values.back(), 0.0f);
}

TEST(BadInputSpecNesting, CompositionsNestAtMostSixteenDeep) {
  ParamGroup group;
  group.params.push_back(Tensor::zeros({1}).requires_grad_());
  group.options["lr"] = 0.1;
  SGD opt({group}, SGD::default_hyperparams());
  const auto nested = [](int depth) {
    std::string spec = "constant";
    for (int i = 0; i < depth; ++i) spec = "chained:schedulers=[" + spec + "]";
    return spec;
  };
  EXPECT_NO_THROW(make_scheduler(nested(kMaxSpecDepth), opt));
  EXPECT_TRUE(throws_with<SpecError>([&] { make_scheduler(nested(kMaxSpecDepth + 1), opt); },
                                     {"nest deeper than 16 levels"}));
}

TEST(BadInputSpecNesting, DeepSpecIsRefusedAtOnceWithAShortMessage) {
  // 126 KB of nesting once took 10 s and 1.7 GB; refused now at the 17th bracket.
  std::string spec;
  for (int i = 0; i < 6000; ++i) spec += "chained:schedulers=[";
  spec += "constant" + std::string(6000, ']');
  ParamGroup group;
  group.params.push_back(Tensor::zeros({1}).requires_grad_());
  group.options["lr"] = 0.1;
  SGD opt({group}, SGD::default_hyperparams());
  const auto start = std::chrono::steady_clock::now();
  try {
    make_scheduler(spec, opt);
    ADD_FAILURE() << "a SPEC nested 6000 deep was accepted";
  } catch (const SpecError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("nest deeper than 16"), std::string::npos) << what;
    EXPECT_LT(what.size(), 400u) << what;  // the SPEC is quoted cut short
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(BadInputTensorSize, ShapeBeyondMemoryIsRefusedNamingShapeAndSizes) {
  // [2^40, 2^40] floats: a product past 2^63 must not wrap into a small allocation.
  EXPECT_TRUE(throws_with<MemoryLimitError>(
      [] {
        Tensor::empty({int64_t{1} << 40, int64_t{1} << 40});
      },
      {"a tensor of shape [1099511627776, 1099511627776] needs", "of memory available"}));
  EXPECT_TRUE(throws_with<MemoryLimitError>(
      [] {
        Tensor::empty({1000000000000, 784});
      },
      {"needs 3.1 PB, more than the"}));
}

TEST(BadInputMemory, CheckNamesTheWorkTheThingAndBothSizes) {
  const WorkContext step("building the model");
  EXPECT_TRUE(throws_with<MemoryLimitError>(
      [] { check_fits_in_memory(3.1e15, "layer 'linear:out=1e12'"); },
      {"building the model: layer 'linear:out=1e12' needs 3.1 PB, more than the", "available"}));
  EXPECT_NO_THROW(check_fits_in_memory(1000, "a small thing"));
  EXPECT_GT(available_memory(), 0u);
  EXPECT_EQ(byte_text(120), "120 bytes");
  EXPECT_EQ(byte_text(3.1e12), "3.1 TB");
  EXPECT_EQ(byte_text(512e6), "512 MB");
}

TEST(BadInputMemory, FailedWorkIsKeptWhileTheExceptionUnwindsAndForgottenAfter) {
  try {
    const WorkContext outer("loading the data");
    const WorkContext inner("reading x.idx");
    EXPECT_EQ(work_context(), "loading the data: reading x.idx");
    throw std::bad_alloc();
  } catch (const std::bad_alloc&) {
    EXPECT_EQ(failed_work_context(), "loading the data: reading x.idx");
  }
  EXPECT_EQ(work_context(), "");
  const WorkContext next("building the model");  // the failure above was handled
  EXPECT_EQ(failed_work_context(), "");
}

TEST(BadInputExcerpt, LongTextIsCutWithItsLengthAndWholeCharacters) {
  EXPECT_EQ(excerpt("short"), "short");
  EXPECT_EQ(excerpt(std::string(100, 'x'), 10), "xxxxxxxxxx... (100 characters)");
  // "é" is two bytes; a cut inside it backs up to its start.
  EXPECT_EQ(excerpt("abcdefghi\xC3\xA9z", 10), "abcdefghi... (12 characters)");
}

}  // namespace test_bad_input_sizes
}  // namespace descent
