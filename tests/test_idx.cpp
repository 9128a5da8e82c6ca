#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "descent/data/fashion_mnist.h"
#include "descent/data/idx.h"
#include "descent/data/loader.h"

using namespace descent;
namespace fs = std::filesystem;

namespace test_idx {

using Bytes = std::vector<uint8_t>;

void put_be32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

Bytes idx_header(uint8_t type, const std::vector<uint32_t>& dims) {
  Bytes out = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) put_be32(out, d);
  return out;
}

Bytes idx_ubyte(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& values) {
  Bytes out = idx_header(0x08, dims);
  out.insert(out.end(), values.begin(), values.end());
  return out;
}

Bytes idx_int32(const std::vector<uint32_t>& dims, const std::vector<int32_t>& values) {
  Bytes out = idx_header(0x0C, dims);
  for (int32_t v : values) put_be32(out, static_cast<uint32_t>(v));
  return out;
}

Bytes idx_float32(const std::vector<uint32_t>& dims, const std::vector<float>& values) {
  Bytes out = idx_header(0x0D, dims);
  for (float v : values) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    put_be32(out, bits);
  }
  return out;
}

void write_raw(const fs::path& path, const Bytes& data) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(f.good()) << path;
}

void write_gz(const fs::path& path, const Bytes& data) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  ASSERT_EQ(gzwrite(f, data.data(), static_cast<unsigned>(data.size())),
            static_cast<int>(data.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

Bytes read_raw(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// Passes when read_idx(path) throws DataError whose message names the path and contains phrase.
testing::AssertionResult ThrowsDataError(const fs::path& path, const std::string& phrase) {
  try {
    IdxArray a = read_idx(path);
    return testing::AssertionFailure() << "read_idx(" << path << ") returned " << a.values.size()
                                       << " values instead of throwing";
  } catch (const DataError& e) {
    std::string what = e.what();
    if (what.find(path.string()) == std::string::npos)
      return testing::AssertionFailure() << "message lacks the path " << path << ": " << what;
    if (what.find(phrase) == std::string::npos)
      return testing::AssertionFailure() << "message lacks \"" << phrase << "\": " << what;
    return testing::AssertionSuccess() << what;
  }
}

std::vector<int64_t> dims64(std::initializer_list<int64_t> d) { return d; }

class IdxTest : public testing::Test {
 protected:
  void SetUp() override {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("descent_idx_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(IdxTest, RoundTripUbyte1D) {
  write_raw(dir_ / "a.idx", idx_ubyte({5}, {0, 1, 127, 128, 255}));
  IdxArray a = read_idx(dir_ / "a.idx");
  EXPECT_EQ(a.type_code, 0x08);
  EXPECT_EQ(a.dims, dims64({5}));
  EXPECT_EQ(a.values, (std::vector<float>{0, 1, 127, 128, 255}));
}

TEST_F(IdxTest, RoundTripUbyte3D) {
  std::vector<uint8_t> v(2 * 3 * 4);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>(i * 10);
  write_raw(dir_ / "a.idx", idx_ubyte({2, 3, 4}, v));
  IdxArray a = read_idx(dir_ / "a.idx");
  EXPECT_EQ(a.dims, dims64({2, 3, 4}));
  ASSERT_EQ(a.values.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(a.values[i], static_cast<float>(v[i]));
}

TEST_F(IdxTest, RoundTripFloat32_2D) {
  std::vector<float> v = {0.0f, -1.5f, 3.25f, 1e-30f, -1e30f, 0.1f};
  write_raw(dir_ / "a.idx", idx_float32({2, 3}, v));
  IdxArray a = read_idx(dir_ / "a.idx");
  EXPECT_EQ(a.type_code, 0x0D);
  EXPECT_EQ(a.dims, dims64({2, 3}));
  EXPECT_EQ(a.values, v);
}

TEST_F(IdxTest, RoundTripInt32_1Dand3D) {
  std::vector<int32_t> v = {0, -1, 1, -65536, 16777216, -16777216, 123456, 7};
  write_raw(dir_ / "a.idx", idx_int32({8}, v));
  write_raw(dir_ / "b.idx", idx_int32({2, 2, 2}, v));
  std::vector<float> expected(v.begin(), v.end());
  IdxArray a = read_idx(dir_ / "a.idx");
  EXPECT_EQ(a.type_code, 0x0C);
  EXPECT_EQ(a.dims, dims64({8}));
  EXPECT_EQ(a.values, expected);
  IdxArray b = read_idx(dir_ / "b.idx");
  EXPECT_EQ(b.dims, dims64({2, 2, 2}));
  EXPECT_EQ(b.values, expected);
}

TEST_F(IdxTest, RoundTripSbyteInt16Float64) {
  Bytes sbyte = idx_header(0x09, {3});
  sbyte.insert(sbyte.end(), {0x80, 0xff, 0x7f});
  Bytes int16 = idx_header(0x0B, {3});
  int16.insert(int16.end(), {0x80, 0x00, 0xff, 0xfe, 0x01, 0x02});
  Bytes float64 = idx_header(0x0E, {2});
  for (double d : {-2.5, 1e10}) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    put_be32(float64, static_cast<uint32_t>(bits >> 32));
    put_be32(float64, static_cast<uint32_t>(bits));
  }
  write_raw(dir_ / "s.idx", sbyte);
  write_raw(dir_ / "i.idx", int16);
  write_raw(dir_ / "d.idx", float64);
  EXPECT_EQ(read_idx(dir_ / "s.idx").values, (std::vector<float>{-128, -1, 127}));
  EXPECT_EQ(read_idx(dir_ / "i.idx").values, (std::vector<float>{-32768, -2, 258}));
  EXPECT_EQ(read_idx(dir_ / "d.idx").values, (std::vector<float>{-2.5f, 1e10f}));
}

TEST_F(IdxTest, GzipMatchesRaw) {
  std::vector<float> v(4 * 5 * 6);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) * 0.5f - 10.0f;
  Bytes data = idx_float32({4, 5, 6}, v);
  write_raw(dir_ / "a.idx", data);
  write_gz(dir_ / "a.idx.gz", data);
  IdxArray raw = read_idx(dir_ / "a.idx");
  IdxArray gz = read_idx(dir_ / "a.idx.gz");
  EXPECT_EQ(gz.dims, raw.dims);
  EXPECT_EQ(gz.values, raw.values);
  EXPECT_EQ(gz.type_code, raw.type_code);
  EXPECT_EQ(raw.values, v);
}

TEST_F(IdxTest, DetectsGzipByMagicNotName) {
  Bytes data = idx_ubyte({2, 2}, {1, 2, 3, 4});
  write_gz(dir_ / "plain-name", data);
  write_raw(dir_ / "misleading.gz", data);
  EXPECT_EQ(read_idx(dir_ / "plain-name").values, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(read_idx(dir_ / "misleading.gz").values, (std::vector<float>{1, 2, 3, 4}));
}

TEST_F(IdxTest, ConcatenatedGzipMembers) {
  Bytes data = idx_ubyte({6}, {1, 2, 3, 4, 5, 6});
  write_gz(dir_ / "head.gz", Bytes(data.begin(), data.begin() + 7));
  write_gz(dir_ / "tail.gz", Bytes(data.begin() + 7, data.end()));
  Bytes joined = read_raw(dir_ / "head.gz");
  Bytes tail = read_raw(dir_ / "tail.gz");
  joined.insert(joined.end(), tail.begin(), tail.end());
  write_raw(dir_ / "both.gz", joined);
  EXPECT_EQ(read_idx(dir_ / "both.gz").values, (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST_F(IdxTest, BadMagic) {
  write_raw(dir_ / "a.idx", {0x01, 0x00, 0x08, 0x01, 0, 0, 0, 1, 7});
  EXPECT_TRUE(
      ThrowsDataError(dir_ / "a.idx", "bad IDX magic number 0x01000801 (expected 0x0000TTDD"));
}

TEST_F(IdxTest, UnknownTypeCode) {
  write_raw(dir_ / "a.idx", {0x00, 0x00, 0x0a, 0x03, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7});
  EXPECT_TRUE(ThrowsDataError(dir_ / "a.idx", "bad IDX magic number 0x00000a03"));
  EXPECT_TRUE(ThrowsDataError(dir_ / "a.idx", "unknown type code 0a"));
  EXPECT_TRUE(ThrowsDataError(dir_ / "a.idx", "type code 08, 09, 0B, 0C, 0D or 0E"));
}

TEST_F(IdxTest, BadDimensionCount) {
  write_raw(dir_ / "zero.idx", {0x00, 0x00, 0x08, 0x00});
  write_raw(dir_ / "nine.idx", idx_header(0x08, {1, 1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_TRUE(ThrowsDataError(dir_ / "zero.idx", "0 dimensions (expected 1 to 8)"));
  EXPECT_TRUE(ThrowsDataError(dir_ / "nine.idx", "9 dimensions (expected 1 to 8)"));
}

TEST_F(IdxTest, ZeroSizeDimension) {
  write_raw(dir_ / "a.idx", idx_header(0x08, {3, 0}));
  EXPECT_TRUE(ThrowsDataError(dir_ / "a.idx", "dimension 1 of 2 has size 0"));
}

TEST_F(IdxTest, DimensionOverflow) {
  write_raw(dir_ / "a.idx", idx_header(0x0E, {0xffffffffu, 0xffffffffu, 0xffffffffu}));
  EXPECT_TRUE(ThrowsDataError(dir_ / "a.idx", "overflow"));
}

TEST_F(IdxTest, TruncatedHeader) {
  write_raw(dir_ / "short.idx", {0x00, 0x00});
  Bytes header = idx_header(0x08, {60000, 28, 28});
  write_raw(dir_ / "dims.idx", Bytes(header.begin(), header.begin() + 10));
  EXPECT_TRUE(
      ThrowsDataError(dir_ / "short.idx", "truncated: the IDX header needs a 4-byte magic"));
  EXPECT_TRUE(ThrowsDataError(dir_ / "dims.idx", "truncated: the IDX header needs 16 bytes"));
}

TEST_F(IdxTest, TruncatedPayload) {
  Bytes data = idx_float32({2, 3}, {1, 2, 3, 4, 5, 6});
  data.resize(data.size() - 5);
  write_raw(dir_ / "a.idx", data);
  write_gz(dir_ / "a.idx.gz", data);
  EXPECT_TRUE(ThrowsDataError(dir_ / "a.idx", "truncated: expected 24 bytes of data, found 19"));
  EXPECT_TRUE(ThrowsDataError(dir_ / "a.idx.gz", "truncated: expected 24 bytes of data, found 19"));
}

TEST_F(IdxTest, TrailingBytes) {
  Bytes data = idx_ubyte({2, 2}, {1, 2, 3, 4});
  data.insert(data.end(), {9, 9, 9});
  write_raw(dir_ / "a.idx", data);
  EXPECT_TRUE(ThrowsDataError(dir_ / "a.idx", "has 3 trailing bytes"));
}

TEST_F(IdxTest, TruncatedGzip) {
  std::vector<uint8_t> v(3000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>((i * 7919) % 251);
  write_gz(dir_ / "full.gz", idx_ubyte({3, 1000}, v));
  Bytes gz = read_raw(dir_ / "full.gz");
  // Cut into the trailer (size, then CRC), just past the data, and mid-stream.
  for (size_t cut : {size_t{1}, size_t{4}, size_t{8}, size_t{9}, gz.size() / 2, gz.size() - 3}) {
    fs::path p = dir_ / ("cut" + std::to_string(cut) + ".gz");
    write_raw(p, Bytes(gz.begin(), gz.end() - static_cast<ptrdiff_t>(cut)));
    EXPECT_TRUE(ThrowsDataError(p, "corrupt or truncated gzip data")) << "cut " << cut;
  }
}

TEST_F(IdxTest, CorruptGzip) {
  std::vector<uint8_t> v(3000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>((i * 7919) % 251);
  write_gz(dir_ / "full.gz", idx_ubyte({3, 1000}, v));
  Bytes gz = read_raw(dir_ / "full.gz");
  for (size_t i = gz.size() / 2; i < gz.size() / 2 + 4; ++i) gz[i] ^= 0xff;
  write_raw(dir_ / "flipped.gz", gz);
  EXPECT_TRUE(ThrowsDataError(dir_ / "flipped.gz", "corrupt or truncated gzip data"));

  // A flipped bit in the CRC alone: the data inflates but fails its check.
  gz = read_raw(dir_ / "full.gz");
  gz[gz.size() - 8] ^= 0x01;
  write_raw(dir_ / "crc.gz", gz);
  EXPECT_TRUE(ThrowsDataError(dir_ / "crc.gz", "corrupt or truncated gzip data"));
}

TEST_F(IdxTest, GarbageAfterGzip) {
  write_gz(dir_ / "a.gz", idx_ubyte({2}, {1, 2}));
  Bytes gz = read_raw(dir_ / "a.gz");
  gz.insert(gz.end(), {0, 0, 0});
  write_raw(dir_ / "a.gz", gz);
  EXPECT_TRUE(ThrowsDataError(dir_ / "a.gz", "3 bytes of non-gzip data"));
}

TEST_F(IdxTest, MissingFile) {
  EXPECT_TRUE(ThrowsDataError(dir_ / "nope.idx", "cannot open file: No such file or directory"));
  EXPECT_TRUE(ThrowsDataError(dir_, "is a directory"));
}

TEST_F(IdxTest, EmptyFile) {
  write_raw(dir_ / "empty.idx", {});
  EXPECT_TRUE(ThrowsDataError(dir_ / "empty.idx", "found 0 bytes"));
}

TEST_F(IdxTest, UbyteAsBytesKeepsTheBytesAndTheChecks) {
  const std::vector<uint8_t> v = {0, 1, 127, 128, 255, 3};
  write_gz(dir_ / "a.gz", idx_ubyte({2, 3}, v));
  const IdxArray a = read_idx(dir_ / "a.gz", /*ubyte_as_bytes=*/true);
  EXPECT_EQ(a.dims, dims64({2, 3}));
  EXPECT_EQ(a.bytes, v);
  EXPECT_TRUE(a.values.empty());
  // Another type is read as floats whatever the option says.
  write_raw(dir_ / "f.idx", idx_float32({2}, {0.5f, -1}));
  EXPECT_EQ(read_idx(dir_ / "f.idx", true).values, (std::vector<float>{0.5f, -1}));
  // A short or overlong payload is refused as it is without the option.
  Bytes cut = idx_ubyte({2, 3}, v);
  cut.pop_back();
  write_gz(dir_ / "cut.gz", cut);
  EXPECT_THROW(read_idx(dir_ / "cut.gz", true), DataError);
  Bytes longer = idx_ubyte({2, 3}, v);
  longer.push_back(7);
  write_gz(dir_ / "long.gz", longer);
  try {
    read_idx(dir_ / "long.gz", true);
    ADD_FAILURE() << "an overlong payload was read";
  } catch (const DataError& e) {
    EXPECT_NE(
        std::string(e.what()).find("inflates to more than the 18 bytes its IDX header declares"),
        std::string::npos)
        << e.what();
  }
}

// Images kept as bytes (dataset.h) read as the floats the whole set converted would hold, through
// every path: dense, rows, subsets (views of the same bytes) and the loader's batches.
TEST_F(IdxTest, ImagesAsBytesReadAsTheFloatsTheyStandFor) {
  std::vector<uint8_t> pixels(5 * 2 * 2);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 13 % 256);
  write_gz(dir_ / "images.gz", idx_ubyte({5, 2, 2}, pixels));
  write_gz(dir_ / "labels.gz", idx_ubyte({5}, {3, 1, 4, 1, 5}));
  int64_t rows = 0, cols = 0;
  const Tensor floats = read_idx_images(dir_ / "images.gz", rows, cols);
  const Dataset d = read_labelled_images(dir_ / "images.gz", dir_ / "labels.gz", "five");
  ASSERT_TRUE(d.byte_inputs);
  EXPECT_FALSE(d.inputs.defined());
  EXPECT_EQ(d.size(), 5);
  EXPECT_EQ(d.features(), 4);
  EXPECT_EQ(d.dense_inputs().to_vector(), floats.to_vector());
  EXPECT_EQ(d.input_rows(1, 3).to_vector(), floats.rows(1, 3).to_vector());
  EXPECT_EQ(floats.data()[1], 13.0f * (1.0f / 255.0f));  // as the float reader always scaled

  const Dataset part = d.subset({4, 0, 2});
  EXPECT_EQ(part.byte_inputs, d.byte_inputs);  // a view, not a copy
  EXPECT_EQ(part.targets.to_vector(), (std::vector<float>{5, 3, 4}));
  std::vector<float> expected;
  for (int64_t r : {4, 0, 2}) {
    const auto row = floats.rows(r, r + 1).to_vector();
    expected.insert(expected.end(), row.begin(), row.end());
  }
  EXPECT_EQ(part.dense_inputs().to_vector(), expected);
  EXPECT_EQ(part.subset({1}).dense_inputs().to_vector(), floats.rows(0, 1).to_vector());

  // The same batches as from the floats.
  Dataset dense = d;
  dense.set_inputs(floats);
  EXPECT_FALSE(dense.byte_inputs);
  DataLoader from_bytes(d, 2, true, false), from_floats(dense, 2, true, false);
  Generator a(7), b(7);
  from_bytes.start_epoch(a);
  from_floats.start_epoch(b);
  Batch x, y;
  int batches = 0;
  while (from_bytes.next(x)) {
    ASSERT_TRUE(from_floats.next(y));
    EXPECT_EQ(x.inputs.shape(), y.inputs.shape());
    EXPECT_EQ(x.inputs.to_vector(), y.inputs.to_vector());
    EXPECT_EQ(x.targets.to_vector(), y.targets.to_vector());
    ++batches;
  }
  EXPECT_EQ(batches, 3);
  EXPECT_THROW(d.input_rows(4, 6), std::out_of_range);
}

const fs::path kFashionMnist = "/usr/share/datasets/fashion-mnist";

TEST(IdxFashionMnist, TestLabels) {
  fs::path path = kFashionMnist / "t10k-labels-idx1-ubyte.gz";
  if (!fs::exists(path)) GTEST_SKIP() << path << " not present";
  IdxArray a = read_idx(path);
  EXPECT_EQ(a.type_code, 0x08);
  EXPECT_EQ(a.dims, dims64({10000}));
  ASSERT_EQ(a.values.size(), 10000u);
  std::vector<int> counts(10);
  for (float v : a.values) {
    ASSERT_TRUE(v >= 0 && v <= 9 && v == static_cast<int>(v)) << v;
    counts[static_cast<int>(v)]++;
  }
  for (int c : counts) EXPECT_EQ(c, 1000);  // the test split is balanced
}

TEST(IdxFashionMnist, TrainImages) {
  fs::path path = kFashionMnist / "train-images-idx3-ubyte.gz";
  if (!fs::exists(path)) GTEST_SKIP() << path << " not present";
  IdxArray a = read_idx(path);
  EXPECT_EQ(a.dims, dims64({60000, 28, 28}));
  ASSERT_EQ(a.values.size(), 60000u * 28 * 28);
  float lo = 255, hi = 0;
  for (float v : a.values) lo = std::min(lo, v), hi = std::max(hi, v);
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 255.0f);
}

// The kB of huge pages backing the mapping that holds `address` (its AnonHugePages line in
// /proc/self/smaps); -1 where none is found.
long huge_kb_at(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<uintptr_t>(address);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= at && at < hi;
    } else if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      return std::stol(line.substr(14));
    }
  }
  return -1;
}

// Image bytes are read at random rows by every batch: they are asked for huge pages before they
// are written, so where the kernel offers them (transparent_hugepage "always" or "madvise") the
// table lies in them.
TEST_F(IdxTest, ImageBytesLieInHugePagesWhereTheKernelOffersThem) {
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(thp, mode);
  if (mode.find("[never]") != std::string::npos || mode.empty())
    GTEST_SKIP() << "this kernel offers no transparent huge pages: " << mode;
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's allocator places the table";
#endif
  // What the kernel gives right now: 4 MiB mapped, asked for huge pages and written. Where it
  // gives none (no free huge page to be had), there is nothing to test.
  constexpr size_t kProbe = 4 << 20;
  void* probe = mmap(nullptr, kProbe, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(probe, MAP_FAILED);
  madvise(probe, kProbe, MADV_HUGEPAGE);
  std::memset(probe, 1, kProbe);
  const long offered = huge_kb_at(static_cast<char*>(probe) + kProbe / 2);
  munmap(probe, kProbe);
  if (offered <= 0) GTEST_SKIP() << "the kernel gave no huge page to a 4 MiB probe";
  // Larger than glibc's largest malloc-from-the-heap size (32 MiB), as Fashion-MNIST's 47 MB are:
  // fresh pages of a mapping of its own. (An 8 MiB table could reuse heap pages a test before had
  // written, which nothing makes huge afterwards.)
  std::vector<uint8_t> v(40 << 20);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>(i * 7);
  write_raw(dir_ / "images.idx", idx_ubyte({40, 1024, 1024}, v));
  const IdxArray a = read_idx(dir_ / "images.idx", /*ubyte_as_bytes=*/true);
  ASSERT_EQ(a.bytes, v);
  // At least one whole page: the ends of the table may share pages with other memory.
  EXPECT_GE(huge_kb_at(a.bytes.data() + a.bytes.size() / 2), 2048);
}

}  // namespace test_idx
