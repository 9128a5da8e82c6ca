#include "descent/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "descent/io/atomic_file.h"
#include "descent/io/json_input.h"

namespace descent {
namespace {

using nlohmann::json;

constexpr bool kLittleEndianHost = std::endian::native == std::endian::little;
// The reference implementation's limit; a header longer than this is hostile or broken.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

uint64_t load_le(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

void store_le(char* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

std::string range_text(uint64_t begin, uint64_t end) {
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::to_string(...).
  std::string s = "[";
  s += std::to_string(begin);
  s += ", ";
  s += std::to_string(end);
  s += ")";
  return s;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t{h & 0x8000u} << 16;
  const uint32_t exp = (h >> 10) & 0x1f;
  const uint32_t mant = h & 0x3ff;
  if (exp == 0) {
    // Zero or subnormal: mant * 2^-24 is exact in float32.
    const float mag = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -mag : mag;
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));  // inf / NaN
  return std::bit_cast<float>(sign | ((exp + 127 - 15) << 23) | (mant << 13));
}

struct DtypeInfo {
  const char* name;
  int size;
};
constexpr DtypeInfo kReadable[] = {{"F32", 4}, {"F64", 8}, {"F16", 2}, {"BF16", 2}};

void convert(const char* src, std::string_view dtype, float* dst, size_t n) {
  if (dtype == "F32") {
    if constexpr (kLittleEndianHost) {
      if (n) std::memcpy(dst, src, n * 4);
    } else {
      for (size_t i = 0; i < n; ++i)
        dst[i] = std::bit_cast<float>(static_cast<uint32_t>(load_le(src + 4 * i, 4)));
    }
  } else if (dtype == "F64") {
    for (size_t i = 0; i < n; ++i)
      dst[i] = static_cast<float>(std::bit_cast<double>(load_le(src + 8 * i, 8)));
  } else if (dtype == "F16") {
    for (size_t i = 0; i < n; ++i)
      dst[i] = half_to_float(static_cast<uint16_t>(load_le(src + 2 * i, 2)));
  } else {  // BF16 is the top half of a float32
    for (size_t i = 0; i < n; ++i)
      dst[i] = std::bit_cast<float>(static_cast<uint32_t>(load_le(src + 2 * i, 2)) << 16);
  }
}

// One header entry, validated on its own; the layout checks across entries come after.
struct HeaderEntry {
  std::string name;
  std::string dtype;
  Shape shape;
  uint64_t begin = 0, end = 0;
};

class Decoder {
 public:
  explicit Decoder(const std::string& source) : source_(source) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw FormatError(source_ + ": " + problem);
  }

  HeaderEntry parse_entry(const std::string& name, const json& info) const {
    const std::string where = "tensor '" + text_excerpt(name) + "'";
    if (!info.is_object()) fail(where + ": header entry is not a JSON object");
    HeaderEntry e;
    e.name = name;

    const auto dtype = info.find("dtype");
    if (dtype == info.end()) fail(where + ": missing \"dtype\"");
    if (!dtype->is_string()) fail(where + ": \"dtype\" is not a string");
    e.dtype = dtype->get<std::string>();
    int elem_size = 0;
    for (const DtypeInfo& d : kReadable)
      if (e.dtype == d.name) elem_size = d.size;
    if (elem_size == 0)
      fail(where + ": unsupported dtype '" + text_excerpt(e.dtype) +
           "' (readable: F32, F64, F16, BF16)");

    const auto shape = info.find("shape");
    if (shape == info.end()) fail(where + ": missing \"shape\"");
    if (!shape->is_array()) fail(where + ": \"shape\" is not an array");
    // Count bytes in unsigned 64-bit with overflow checks: a hostile header may claim anything.
    // Non-zero dimensions must multiply out in range even beside a zero one, so that numel() of
    // the resulting Shape can't overflow.
    uint64_t bytes = static_cast<uint64_t>(elem_size);
    bool has_zero = false;
    for (const json& d : *shape) {
      if (!d.is_number_unsigned())
        fail(where + ": \"shape\" " + json_excerpt(*shape) +
             " is not a list of non-negative integers");
      const uint64_t v = d.get<uint64_t>();
      e.shape.push_back(static_cast<int64_t>(v));
      if (v == 0) {
        has_zero = true;
      } else if (bytes > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / v) {
        fail(where + ": shape " + json_excerpt(*shape) + " is too large");
      } else {
        bytes *= v;
      }
    }
    if (has_zero) bytes = 0;

    const auto offsets = info.find("data_offsets");
    if (offsets == info.end()) fail(where + ": missing \"data_offsets\"");
    if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
        !(*offsets)[1].is_number_unsigned())
      fail(where + ": \"data_offsets\" " + json_excerpt(*offsets) +
           " is not a pair of non-negative integers");
    e.begin = (*offsets)[0].get<uint64_t>();
    e.end = (*offsets)[1].get<uint64_t>();
    if (e.end < e.begin)
      fail(where + ": data_offsets " + json_excerpt(*offsets) + " end before they begin");
    if (e.end - e.begin != bytes)
      fail(where + ": data_offsets " + json_excerpt(*offsets) + " span " +
           std::to_string(e.end - e.begin) + " bytes, but " + e.dtype + " shape " +
           to_string(e.shape) + " needs " + std::to_string(bytes));
    return e;
  }

  SafetensorsFile decode(std::string_view bytes) const {
    if (bytes.size() < 8)
      fail("file is " + std::to_string(bytes.size()) +
           " bytes, shorter than the 8-byte header length");
    const uint64_t header_len = load_le(bytes.data(), 8);
    const uint64_t after_len = bytes.size() - 8;
    if (header_len > after_len)
      fail("header length " + std::to_string(header_len) + " goes beyond the end of the file (" +
           std::to_string(after_len) + " bytes follow the length)");
    const std::string_view header_text = bytes.substr(8, header_len);
    const std::string_view data = bytes.substr(8 + header_len);

    if (header_len > kMaxHeaderBytes)
      fail("header length " + std::to_string(header_len) + " is over the format's limit of " +
           std::to_string(kMaxHeaderBytes) + " bytes");
    const json header = parse_json(header_text, source_, "header");
    if (!header.is_object()) fail("header is not a JSON object");

    SafetensorsFile file;
    std::vector<HeaderEntry> entries;
    for (const auto& [name, info] : header.items()) {
      if (name == "__metadata__") {
        if (!info.is_object()) fail("\"__metadata__\" is not a JSON object");
        for (const auto& [key, value] : info.items()) {
          if (!value.is_string())
            fail("\"__metadata__\" value for '" + text_excerpt(key) + "' is not a string");
          file.metadata[key] = value.get<std::string>();
        }
        continue;
      }
      entries.push_back(parse_entry(name, info));
    }

    // The data section must be tiled exactly: sorted by offset, each tensor starts where the
    // previous one ended, and the last one ends at the end of the file.
    std::sort(entries.begin(), entries.end(), [](const HeaderEntry& a, const HeaderEntry& b) {
      return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
    });
    uint64_t pos = 0;
    const HeaderEntry* prev = nullptr;
    for (const HeaderEntry& e : entries) {
      const std::string range = range_text(e.begin, e.end);
      if (e.end > data.size())
        fail("tensor '" + text_excerpt(e.name) + "': data_offsets " + range +
             " go beyond the data section (" + std::to_string(data.size()) + " bytes)");
      if (e.begin < pos)
        fail("tensor '" + text_excerpt(e.name) + "' at " + range + " overlaps tensor '" +
             text_excerpt(prev->name) + "' which ends at " + std::to_string(pos));
      if (e.begin > pos)
        fail("gap in the data section: bytes [" + std::to_string(pos) + ", " +
             std::to_string(e.begin) + ") before tensor '" + text_excerpt(e.name) +
             "' belong to no tensor");
      pos = e.end;
      prev = &e;
    }
    if (pos != data.size())
      fail("gap in the data section: bytes [" + std::to_string(pos) + ", " +
           std::to_string(data.size()) + ") after the last tensor belong to no tensor");

    file.tensors.reserve(entries.size());
    for (const HeaderEntry& e : entries) {
      Tensor t = Tensor::empty(e.shape);
      convert(data.data() + e.begin, e.dtype, t.data(), static_cast<size_t>(t.numel()));
      file.tensors.push_back({e.name, std::move(t)});
    }
    return file;
  }

 private:
  const std::string& source_;
};

}  // namespace

const Tensor* SafetensorsFile::find(std::string_view name) const {
  for (const NamedTensor& t : tensors)
    if (t.name == name) return &t.tensor;
  return nullptr;
}

std::string encode_safetensors(const std::vector<NamedTensor>& tensors,
                               const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) {
    json meta = json::object();
    for (const auto& [key, value] : metadata) meta[key] = value;
    header["__metadata__"] = std::move(meta);
  }
  std::set<std::string_view> seen;
  uint64_t offset = 0;
  for (const NamedTensor& t : tensors) {
    if (t.name.empty()) throw std::invalid_argument("safetensors: a tensor has an empty name");
    if (t.name == "__metadata__")
      throw std::invalid_argument("safetensors: \"__metadata__\" is reserved, not a tensor name");
    if (!seen.insert(t.name).second)
      throw std::invalid_argument("safetensors: duplicate tensor name '" + t.name + "'");
    if (!t.tensor.defined())
      throw std::invalid_argument("safetensors: tensor '" + t.name + "' is undefined");
    const uint64_t bytes = static_cast<uint64_t>(t.tensor.numel()) * 4;
    header[t.name] = {{"dtype", "F32"},
                      {"shape", t.tensor.shape()},
                      {"data_offsets", json::array({offset, offset + bytes})}};
    offset += bytes;
  }

  std::string header_text;
  try {
    header_text = header.dump();
  } catch (const json::exception& e) {  // names and metadata must be valid UTF-8
    throw std::invalid_argument(std::string("safetensors: cannot encode the header: ") + e.what());
  }
  // Padding keeps the data section 8-byte aligned, so readers can map it in place.
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  std::string out(8 + header_text.size() + offset, '\0');
  store_le(out.data(), header_text.size(), 8);
  std::memcpy(out.data() + 8, header_text.data(), header_text.size());
  char* dst = out.data() + 8 + header_text.size();
  for (const NamedTensor& t : tensors) {
    const size_t n = static_cast<size_t>(t.tensor.numel());
    if constexpr (kLittleEndianHost) {
      if (n) std::memcpy(dst, t.tensor.data(), n * 4);
    } else {
      for (size_t i = 0; i < n; ++i)
        store_le(dst + 4 * i, std::bit_cast<uint32_t>(t.tensor.data()[i]), 4);
    }
    dst += n * 4;
  }
  return out;
}

SafetensorsFile decode_safetensors(std::string_view bytes, const std::string& source_name) {
  return Decoder(source_name).decode(bytes);
}

void save_safetensors(const std::filesystem::path& path, const std::vector<NamedTensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  write_file_atomically(path, encode_safetensors(tensors, metadata));
}

SafetensorsFile load_safetensors(const std::filesystem::path& path) {
  return decode_safetensors(read_file(path), path.string());
}

}  // namespace descent
