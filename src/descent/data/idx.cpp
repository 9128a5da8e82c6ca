#include "descent/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace descent {
namespace {

constexpr int kMaxDims = 8;
constexpr size_t kReadChunk = size_t{1} << 20;
// Deflate can't expand data more than about 1032:1, so a larger gzip size field is corrupt.
constexpr uint64_t kMaxDeflateRatio = 1032;

using Bytes = std::vector<uint8_t>;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
  throw DataError(path.string() + ": " + problem);
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

Bytes read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "cannot open file: is a directory");
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) fail(path, fmt::format("cannot open file: {}", std::strerror(errno)));

  // The size is only a hint (the file may be a pipe or change underneath us); read until EOF.
  uintmax_t hint = std::filesystem::file_size(path, ec);
  Bytes data(ec ? kReadChunk : static_cast<size_t>(hint) + 1);
  size_t length = 0;
  for (;;) {
    if (length == data.size()) data.resize(data.size() * 2);
    size_t wanted = data.size() - length;
    size_t got = std::fread(data.data() + length, 1, wanted, file.get());
    length += got;
    if (got < wanted) {
      if (std::ferror(file.get())) fail(path, fmt::format("read error: {}", std::strerror(errno)));
      break;
    }
  }
  data.resize(length);
  return data;
}

bool is_gzip(const Bytes& data) { return data.size() >= 2 && data[0] == 0x1f && data[1] == 0x8b; }

// Inflates every gzip member in `in` (files may concatenate members, as `cat a.gz b.gz` does).
Bytes gunzip(const std::filesystem::path& path, const Bytes& in) {
  const std::string corrupt = "corrupt or truncated gzip data";
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) fail(path, "cannot initialize zlib");
  struct InflateEnd {
    z_stream* zs;
    ~InflateEnd() { inflateEnd(zs); }
  } guard{&zs};

  // The trailer's size field (the uncompressed size mod 2^32) sizes the output in one go.
  uint64_t hint = 0;
  if (in.size() >= 18) {
    const uint8_t* t = in.data() + in.size() - 4;
    hint = uint64_t{t[0]} | uint64_t{t[1]} << 8 | uint64_t{t[2]} << 16 | uint64_t{t[3]} << 24;
  }
  if (hint == 0 || hint > kMaxDeflateRatio * in.size()) hint = std::max(in.size() * 4, kReadChunk);
  Bytes out(static_cast<size_t>(hint) + 1);  // +1: reaching the end needs no extra round trip

  const uint8_t* base = in.data();
  size_t fed = 0;  // input handed to zlib so far
  size_t length = 0;
  for (;;) {
    if (zs.avail_in == 0 && fed < in.size()) {
      zs.next_in = const_cast<Bytef*>(base + fed);
      zs.avail_in = static_cast<uInt>(std::min<size_t>(in.size() - fed, UINT_MAX));
      fed += zs.avail_in;
    }
    if (length == out.size()) out.resize(out.size() * 2);
    zs.next_out = out.data() + length;
    zs.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - length, UINT_MAX));
    int rc = inflate(&zs, Z_NO_FLUSH);
    length = static_cast<size_t>(zs.next_out - out.data());

    if (rc == Z_STREAM_END) {
      size_t consumed = static_cast<size_t>(zs.next_in - base);
      if (consumed == in.size()) break;
      if (in.size() - consumed >= 2 && base[consumed] == 0x1f && base[consumed + 1] == 0x8b) {
        inflateReset(&zs);
        continue;
      }
      fail(path, fmt::format("{} ({} bytes of non-gzip data after the compressed stream)", corrupt,
                             in.size() - consumed));
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && (zs.avail_out == 0 || zs.avail_in > 0 || fed < in.size())) continue;
    if (rc == Z_BUF_ERROR)
      fail(path, fmt::format("{} (the compressed stream ends early, after {} bytes of output)",
                             corrupt, length));
    fail(path,
         fmt::format("{} (zlib: {})", corrupt, zs.msg ? zs.msg : "error " + std::to_string(rc)));
  }
  out.resize(length);
  return out;
}

struct TypeInfo {
  uint8_t code;
  size_t size;
  const char* name;
};

constexpr TypeInfo kTypes[] = {{0x08, 1, "ubyte"}, {0x09, 1, "sbyte"},   {0x0B, 2, "int16"},
                               {0x0C, 4, "int32"}, {0x0D, 4, "float32"}, {0x0E, 8, "float64"}};

const TypeInfo* find_type(uint8_t code) {
  for (const TypeInfo& t : kTypes)
    if (t.code == code) return &t;
  return nullptr;
}

uint32_t load_be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

uint64_t load_be64(const uint8_t* p) { return uint64_t{load_be32(p)} << 32 | load_be32(p + 4); }

// Plain loops per type so the compiler vectorizes the byte swaps and conversions.
void convert(const TypeInfo& type, const uint8_t* p, size_t n, float* out) {
  switch (type.code) {
    case 0x08:
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(p[i]);
      break;
    case 0x09:
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(static_cast<int8_t>(p[i]));
      break;
    case 0x0B:
      for (size_t i = 0; i < n; ++i)
        out[i] = static_cast<float>(static_cast<int16_t>(p[2 * i] << 8 | p[2 * i + 1]));
      break;
    case 0x0C:
      for (size_t i = 0; i < n; ++i)
        out[i] = static_cast<float>(static_cast<int32_t>(load_be32(p + 4 * i)));
      break;
    case 0x0D:
      for (size_t i = 0; i < n; ++i) {
        uint32_t bits = load_be32(p + 4 * i);
        std::memcpy(&out[i], &bits, 4);
      }
      break;
    case 0x0E:
      for (size_t i = 0; i < n; ++i) {
        uint64_t bits = load_be64(p + 8 * i);
        double d;
        std::memcpy(&d, &bits, 8);
        out[i] = static_cast<float>(d);
      }
      break;
  }
}

std::string dims_text(const std::vector<int64_t>& dims) {
  return fmt::format("{}", fmt::join(dims, "x"));
}

IdxArray parse(const std::filesystem::path& path, const Bytes& data) {
  if (data.size() < 4)
    fail(path, fmt::format("truncated: the IDX header needs a 4-byte magic number, found {} bytes",
                           data.size()));
  uint32_t magic = load_be32(data.data());
  const std::string expected = "(expected 0x0000TTDD with a type code 08, 09, 0B, 0C, 0D or 0E)";
  if (data[0] != 0 || data[1] != 0)
    fail(path, fmt::format("bad IDX magic number {:#010x} {}", magic, expected));
  const TypeInfo* type = find_type(data[2]);
  if (!type)
    fail(path, fmt::format("bad IDX magic number {:#010x}: unknown type code {:02x} {}", magic,
                           data[2], expected));
  int ndims = data[3];
  if (ndims < 1 || ndims > kMaxDims)
    fail(path, fmt::format("bad IDX magic number {:#010x}: {} dimensions (expected 1 to {})", magic,
                           ndims, kMaxDims));

  size_t header = 4 + 4 * static_cast<size_t>(ndims);
  if (data.size() < header)
    fail(path, fmt::format("truncated: the IDX header needs {} bytes for {} dimensions, found {}",
                           header, ndims, data.size()));
  IdxArray result;
  result.type_code = type->code;
  uint64_t count = 1;
  bool overflow = false;
  for (int i = 0; i < ndims; ++i) {
    uint32_t d = load_be32(data.data() + 4 + 4 * i);
    result.dims.push_back(d);
    if (d == 0) fail(path, fmt::format("dimension {} of {} has size 0", i, ndims));
    overflow |= __builtin_mul_overflow(count, uint64_t{d}, &count);
  }
  uint64_t expected_bytes = 0;
  overflow |= __builtin_mul_overflow(count, uint64_t{type->size}, &expected_bytes);
  if (overflow || expected_bytes > SIZE_MAX)
    fail(path, fmt::format("dimensions {} of {} values overflow a 64-bit byte count",
                           dims_text(result.dims), type->name));

  size_t found = data.size() - header;
  if (found < expected_bytes)
    fail(path, fmt::format("truncated: expected {} bytes of data, found {} (dims {}, type {})",
                           expected_bytes, found, dims_text(result.dims), type->name));
  if (found > expected_bytes)
    fail(path,
         fmt::format("has {} trailing bytes after the expected {} bytes of data (dims {}, "
                     "type {})",
                     found - expected_bytes, expected_bytes, dims_text(result.dims), type->name));

  result.values.resize(static_cast<size_t>(count));
  convert(*type, data.data() + header, result.values.size(), result.values.data());
  return result;
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& path) {
  Bytes data = read_file(path);
  if (is_gzip(data)) data = gunzip(path, data);
  return parse(path, data);
}

}  // namespace descent
