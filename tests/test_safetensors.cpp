#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "descent/io/atomic_file.h"
#include "descent/io/safetensors.h"

namespace descent {
namespace test_safetensors {

namespace fs = std::filesystem;
using nlohmann::json;

// A fresh directory per test, removed afterwards, so file tests can't see each other's files.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("descent-" + std::string(info->test_suite_name()) + "-" +
                                        info->name() + "-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> dir_entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

class SafetensorsFiles : public TempDirTest {};
class AtomicFile : public TempDirTest {};

std::string le_bytes(uint64_t v, int n) {
  std::string s(n, '\0');
  for (int i = 0; i < n; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

std::string f32_bytes(std::initializer_list<float> values) {
  std::string s;
  for (float v : values) s += le_bytes(std::bit_cast<uint32_t>(v), 4);
  return s;
}

// A file from a raw header string and data section, as a foreign writer might produce it.
std::string make_file(const std::string& header, const std::string& data) {
  return le_bytes(header.size(), 8) + header + data;
}

// The FormatError message for decoding `bytes`, or "" if it decoded.
std::string decode_error(const std::string& bytes) {
  try {
    decode_safetensors(bytes, "corrupt.safetensors");
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

void expect_format_error(const std::string& bytes, const std::string& fragment) {
  const std::string msg = decode_error(bytes);
  ASSERT_FALSE(msg.empty()) << "decoded without error; expected: " << fragment;
  EXPECT_NE(msg.find("corrupt.safetensors"), std::string::npos) << msg;
  EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
}

void expect_tensor(const SafetensorsFile& f, const std::string& name, const Shape& shape,
                   const std::vector<float>& values) {
  const Tensor* t = f.find(name);
  ASSERT_NE(t, nullptr) << name;
  EXPECT_EQ(t->shape(), shape) << name;
  EXPECT_EQ(t->to_vector(), values) << name;
}

TEST(SafetensorsRoundTrip, SeveralTensorsScalarEmptyAndMetadata) {
  const std::vector<NamedTensor> tensors = {
      {"layer.weight", Tensor::from({2, 3}, {1, -2, 3.5f, 0, 1e-30f, -7})},
      {"layer.bias", Tensor::from({3}, {0.25f, 0.5f, 0.75f})},
      {"step", Tensor::scalar(42)},
      {"empty", Tensor::zeros({0, 4})},
      {"a_last", Tensor::from({1, 1, 2}, {std::numeric_limits<float>::infinity(), -0.0f})},
  };
  const std::map<std::string, std::string> meta = {{"format", "pt"}, {"epoch", "3"}};
  const SafetensorsFile f = decode_safetensors(encode_safetensors(tensors, meta), "mem");

  // Tensors come back in data-offset order, which is the order they were given.
  ASSERT_EQ(f.tensors.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) EXPECT_EQ(f.tensors[i].name, tensors[i].name);
  expect_tensor(f, "layer.weight", {2, 3}, {1, -2, 3.5f, 0, 1e-30f, -7});
  expect_tensor(f, "layer.bias", {3}, {0.25f, 0.5f, 0.75f});
  expect_tensor(f, "step", {}, {42});
  expect_tensor(f, "empty", {0, 4}, {});
  expect_tensor(f, "a_last", {1, 1, 2}, {std::numeric_limits<float>::infinity(), -0.0f});
  EXPECT_TRUE(std::signbit(f.find("a_last")->data()[1]));
  EXPECT_EQ(f.metadata, meta);
  EXPECT_EQ(f.find("missing"), nullptr);
}

TEST(SafetensorsRoundTrip, NoTensorsNoMetadata) {
  const std::string bytes = encode_safetensors({});
  const SafetensorsFile f = decode_safetensors(bytes, "mem");
  EXPECT_TRUE(f.tensors.empty());
  EXPECT_TRUE(f.metadata.empty());
}

TEST(SafetensorsRoundTrip, RejectsBadNames) {
  const Tensor t = Tensor::scalar(1);
  EXPECT_THROW(encode_safetensors({{"a", t}, {"a", t}}), std::invalid_argument);
  EXPECT_THROW(encode_safetensors({{"", t}}), std::invalid_argument);
  EXPECT_THROW(encode_safetensors({{"__metadata__", t}}), std::invalid_argument);
  EXPECT_THROW(encode_safetensors({{"a", Tensor()}}), std::invalid_argument);
  EXPECT_THROW(encode_safetensors({{"\xff", t}}), std::invalid_argument);
}

TEST(SafetensorsLayout, TinyFileBytes) {
  const std::string bytes = encode_safetensors({{"w", Tensor::from({2}, {1.5f, -2.0f})}});
  ASSERT_GE(bytes.size(), 8u);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  EXPECT_EQ(n % 8, 0u) << "header is padded to a multiple of 8";
  ASSERT_EQ(bytes.size(), 8 + n + 8);

  const std::string header = bytes.substr(8, n);
  EXPECT_EQ(header.front(), '{');
  EXPECT_EQ(header.find_last_not_of(' ') + 1, header.find_last_of('}') + 1)
      << "only spaces may follow the JSON object";
  const json j = json::parse(header);
  EXPECT_EQ(j, json::parse(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})"));

  EXPECT_EQ(bytes.substr(8 + n), f32_bytes({1.5f, -2.0f}));
}

TEST(SafetensorsLayout, MetadataAndOffsetsInGivenOrder) {
  const std::string bytes = encode_safetensors(
      {{"z", Tensor::from({3}, {1, 2, 3})}, {"a", Tensor::scalar(4)}}, {{"k", "v"}});
  const uint64_t n =
      static_cast<unsigned char>(bytes[0]) | (static_cast<unsigned char>(bytes[1]) << 8);
  const json j = json::parse(bytes.substr(8, n));
  EXPECT_EQ(j["__metadata__"], json({{"k", "v"}}));
  EXPECT_EQ(j["z"]["data_offsets"], json::array({0, 12}));
  EXPECT_EQ(j["a"]["data_offsets"], json::array({12, 16}));
  EXPECT_EQ(j["a"]["shape"], json::array());
  EXPECT_EQ(bytes.substr(8 + n), f32_bytes({1, 2, 3, 4}));
}

TEST(SafetensorsDecode, ConvertsF64F16Bf16) {
  std::string data;
  data += le_bytes(std::bit_cast<uint64_t>(0.1), 8);  // F64 "d": [2]
  data += le_bytes(std::bit_cast<uint64_t>(-1e300), 8);
  // F16 "h": [2, 3]: 1, -2, 0.5, smallest subnormal 2^-24, +inf, 65504 (max)
  for (uint16_t h : {0x3C00, 0xC000, 0x3800, 0x0001, 0x7C00, 0x7BFF}) data += le_bytes(h, 2);
  // BF16 "b": [2]: 1, -3.5
  for (uint16_t b : {0x3F80, 0xC060}) data += le_bytes(b, 2);
  data += f32_bytes({9.0f});  // F32 "f": []
  // Keys out of offset order, and unpadded: foreign writers needn't sort or pad.
  const std::string header = R"({"f":{"dtype":"F32","shape":[],"data_offsets":[32,36]},)"
                             R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[28,32]},)"
                             R"("d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},)"
                             R"("h":{"dtype":"F16","shape":[2,3],"data_offsets":[16,28]}})";
  const SafetensorsFile f = decode_safetensors(make_file(header, data), "mixed");

  ASSERT_EQ(f.tensors.size(), 4u);
  EXPECT_EQ(f.tensors[0].name, "d");
  EXPECT_EQ(f.tensors[1].name, "h");
  EXPECT_EQ(f.tensors[2].name, "b");
  EXPECT_EQ(f.tensors[3].name, "f");
  expect_tensor(f, "d", {2}, {0.1f, -std::numeric_limits<float>::infinity()});
  expect_tensor(
      f, "h", {2, 3},
      {1, -2, 0.5f, std::ldexp(1.0f, -24), std::numeric_limits<float>::infinity(), 65504});
  expect_tensor(f, "b", {2}, {1, -3.5f});
  expect_tensor(f, "f", {}, {9});
  EXPECT_TRUE(f.metadata.empty());
}

TEST(SafetensorsDecode, F16NaNStaysNaN) {
  const std::string header = R"({"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}})";
  const SafetensorsFile f = decode_safetensors(make_file(header, le_bytes(0x7E00, 2)), "nan");
  EXPECT_TRUE(std::isnan(f.find("h")->item()));
}

TEST(SafetensorsDecode, PaddedHeaderAndMetadata) {
  const std::string header =
      R"({"__metadata__":{"a":"b"},"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}     )";
  const SafetensorsFile f = decode_safetensors(make_file(header, f32_bytes({2})), "padded");
  expect_tensor(f, "x", {1}, {2});
  EXPECT_EQ(f.metadata.at("a"), "b");
}

TEST(SafetensorsCorrupt, ShortFile) {
  expect_format_error("", "shorter than");
  expect_format_error(std::string(7, '\0'), "shorter than");
}

TEST(SafetensorsCorrupt, HeaderLengthBeyondFile) {
  expect_format_error(le_bytes(100, 8) + "{}", "header length 100");
  expect_format_error(le_bytes(~uint64_t{0}, 8) + "{}", "header length");
}

TEST(SafetensorsCorrupt, HeaderNotJsonObject) {
  expect_format_error(make_file("{\"a\": ", ""), "not valid JSON");
  expect_format_error(make_file("", ""), "not valid JSON");
  expect_format_error(make_file("[1, 2]", ""), "not a JSON object");
  expect_format_error(make_file(R"({"a": 3})", ""), "tensor 'a'");
  expect_format_error(make_file(R"({"__metadata__": {"k": 1}})", ""), "__metadata__");
  expect_format_error(make_file(R"({"__metadata__": [1]})", ""), "__metadata__");
}

// A 120 KB header of nested arrays once overflowed the stack while the error message was being
// built. Nesting is bounded while parsing, and what a message quotes is cut short.
TEST(SafetensorsCorrupt, DeepNestingAndHugeValuesGiveShortErrors) {
  const std::string deep = std::string(60000, '[') + std::string(60000, ']');
  for (const std::string field : {"shape", "data_offsets", "dtype"}) {
    std::string header = R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
    const size_t at = header.find("\"" + field + "\":") + field.size() + 3;
    const size_t end = header.find_first_of(",}", field == "dtype" ? at : header.find(']', at));
    header = header.substr(0, at) + deep + header.substr(end + (field == "dtype" ? 0 : 1));
    const std::string msg = decode_error(make_file(header, f32_bytes({1})));
    EXPECT_NE(msg.find("nests deeper than 64 levels"), std::string::npos) << field << ": " << msg;
  }
  // A value at the depth limit is fine to parse, and quoted in at most ~60 characters.
  std::string wide = "[2";
  for (int i = 0; i < 300'000; ++i) wide += ",2";
  wide += "]";
  const std::string msg = decode_error(make_file(
      R"({"t":{"dtype":"F32","shape":)" + wide + R"(,"data_offsets":[0,4]}})", f32_bytes({1})));
  EXPECT_NE(msg.find("shape [2,2,2"), std::string::npos) << msg.substr(0, 200);
  EXPECT_NE(msg.find("is too large"), std::string::npos) << msg.substr(0, 200);
  EXPECT_LT(msg.size(), 300u) << msg.substr(0, 400);
  const std::string long_name(1'000'000, 'n');
  const std::string named = decode_error(
      make_file(R"({")" + long_name + R"(":{"dtype":"X","shape":[1],"data_offsets":[0,4]}})",
                f32_bytes({1})));
  EXPECT_NE(named.find("unsupported dtype"), std::string::npos) << named.substr(0, 200);
  EXPECT_LT(named.size(), 300u);
}

TEST(SafetensorsCorrupt, MissingFields) {
  const std::string data = f32_bytes({1});
  expect_format_error(make_file(R"({"t":{"shape":[1],"data_offsets":[0,4]}})", data),
                      "tensor 't': missing \"dtype\"");
  expect_format_error(make_file(R"({"t":{"dtype":"F32","data_offsets":[0,4]}})", data),
                      "tensor 't': missing \"shape\"");
  expect_format_error(make_file(R"({"t":{"dtype":"F32","shape":[1]}})", data),
                      "tensor 't': missing \"data_offsets\"");
  expect_format_error(make_file(R"({"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", data),
                      "shape");
  expect_format_error(make_file(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", data),
                      "data_offsets");
}

TEST(SafetensorsCorrupt, UnsupportedDtype) {
  expect_format_error(make_file(R"({"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})",
                                std::string(8, '\0')),
                      "tensor 'ids': unsupported dtype 'I64'");
}

TEST(SafetensorsCorrupt, OffsetsInconsistentWithShape) {
  expect_format_error(
      make_file(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", f32_bytes({1})),
      "tensor 't': data_offsets [0,4] span 4 bytes");
  expect_format_error(
      make_file(R"({"t":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}})", f32_bytes({1, 2})),
      "needs 4");
  expect_format_error(
      make_file(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", f32_bytes({1})),
      "end before");
  // Shapes whose byte count overflows 64 bits are rejected, not wrapped around to a small size.
  expect_format_error(
      make_file(R"({"t":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}})",
                ""),
      "too large");
}

TEST(SafetensorsCorrupt, OffsetsOutOfDataSection) {
  expect_format_error(
      make_file(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", f32_bytes({1})),
      "beyond the data section");
}

TEST(SafetensorsCorrupt, OverlappingTensors) {
  expect_format_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                f32_bytes({1, 2})),
                      "overlaps");
}

TEST(SafetensorsCorrupt, Gaps) {
  // A hole between tensors, before the first one, and after the last one.
  expect_format_error(make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                                f32_bytes({1, 2, 3})),
                      "gap");
  expect_format_error(
      make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", f32_bytes({1, 2})),
      "gap");
  expect_format_error(
      make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", f32_bytes({1, 2})),
      "gap");
}

TEST_F(SafetensorsFiles, SaveReplacesExistingFileAndLeavesNoTemporaries) {
  const fs::path path = dir_ / "model.safetensors";
  write_file_atomically(path, "old contents");
  save_safetensors(path, {{"w", Tensor::from({2, 2}, {1, 2, 3, 4})}}, {{"k", "v"}});
  EXPECT_EQ(dir_entries(), std::vector<std::string>{"model.safetensors"});

  const SafetensorsFile f = load_safetensors(path);
  expect_tensor(f, "w", {2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(f.metadata.at("k"), "v");

  save_safetensors(path, {{"b", Tensor::scalar(5)}});
  EXPECT_EQ(dir_entries(), std::vector<std::string>{"model.safetensors"});
  const SafetensorsFile g = load_safetensors(path);
  ASSERT_EQ(g.tensors.size(), 1u);
  expect_tensor(g, "b", {}, {5});
}

TEST_F(SafetensorsFiles, LoadErrorsNameThePath) {
  const fs::path missing = dir_ / "missing.safetensors";
  try {
    load_safetensors(missing);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }

  const fs::path bad = dir_ / "bad.safetensors";
  write_file_atomically(bad, "tiny");
  try {
    load_safetensors(bad);
    FAIL() << "expected a FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
  }
}

TEST_F(AtomicFile, WritesAndReplaces) {
  const fs::path path = dir_ / "f.bin";
  const std::string binary("a\0b\xff", 4);
  write_file_atomically(path, binary);
  EXPECT_EQ(read_file(path), binary);
  write_file_atomically(path, "");
  EXPECT_EQ(read_file(path), "");
  EXPECT_EQ(dir_entries(), std::vector<std::string>{"f.bin"});
}

TEST_F(AtomicFile, MissingDirectoryThrowsNamingPath) {
  const fs::path path = dir_ / "no-such-dir" / "f.bin";
  try {
    write_file_atomically(path, "x");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  EXPECT_TRUE(dir_entries().empty());
}

TEST_F(AtomicFile, FailedRenameRemovesTemporary) {
  // The target is a non-empty directory, so the final rename fails after the data was written.
  const fs::path path = dir_ / "target";
  fs::create_directories(path / "child");
  EXPECT_THROW(write_file_atomically(path, "x"), std::runtime_error);
  EXPECT_EQ(dir_entries(), std::vector<std::string>{"target"});
}

TEST_F(AtomicFile, ReadMissingFileThrowsNamingPath) {
  const fs::path path = dir_ / "absent.txt";
  try {
    read_file(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_file(dir_), std::runtime_error);
}

}  // namespace test_safetensors
}  // namespace descent
