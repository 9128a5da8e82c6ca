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

#include "descent/util/memory.h"

namespace descent {
namespace {

constexpr int kMaxDims = 8;
constexpr size_t kReadChunk = size_t{1} << 20;
// Deflate expands data at most about 1032:1, so a header declaring more than that many bytes per
// compressed byte describes data the file cannot hold.
constexpr uint64_t kMaxDeflateRatio = 1032;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
  throw DataError(path.string() + ": " + problem);
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// The file's bytes in order, inflated as they are read when the file is gzip-compressed (every
// member of a concatenation, as `cat a.gz b.gz` makes). It holds one chunk of compressed input,
// never the whole file: what the caller asks for is all that is allocated, so the IDX header
// sizes the data, and a gzip bomb costs no more memory than the data its header declares.
class IdxStream {
 public:
  explicit IdxStream(const std::filesystem::path& path) : path_(path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail(path, "cannot open file: is a directory");
    file_.reset(std::fopen(path.c_str(), "rb"));
    if (!file_) fail(path, fmt::format("cannot open file: {}", std::strerror(errno)));
    const uintmax_t size = std::filesystem::file_size(path, ec);
    file_size_ = ec ? 0 : static_cast<uint64_t>(size);
    fill();
    gzip_ = in_.size() - in_pos_ >= 2 && in_[in_pos_] == 0x1f && in_[in_pos_ + 1] == 0x8b;
    if (gzip_ && inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) fail(path, "cannot initialize zlib");
  }
  ~IdxStream() {
    if (gzip_) inflateEnd(&zs_);
  }
  IdxStream(const IdxStream&) = delete;
  IdxStream& operator=(const IdxStream&) = delete;

  bool gzip() const { return gzip_; }
  uint64_t file_size() const { return file_size_; }

  // Up to n bytes into out; fewer only where the data ends. Throws DataError on a read error or
  // corrupt gzip data.
  size_t read(uint8_t* out, size_t n) { return gzip_ ? inflate_into(out, n) : copy_into(out, n); }

  // Reads on and discards up to `limit` bytes, or to the end: corrupt data shows itself by
  // throwing, as it would have had the whole stream been read.
  void skip(uint64_t limit) {
    std::vector<uint8_t> scratch(64 * 1024);
    while (limit > 0) {
      const size_t got =
          read(scratch.data(), static_cast<size_t>(std::min<uint64_t>(limit, scratch.size())));
      if (got == 0) return;
      limit -= got;
    }
  }

 private:
  // Refills the compressed (or raw) input buffer when it is used up; false at the end of the file.
  bool fill() {
    if (in_pos_ < in_.size()) return true;
    in_.resize(kReadChunk);
    const size_t got = std::fread(in_.data(), 1, in_.size(), file_.get());
    if (got < in_.size() && std::ferror(file_.get()))
      fail(path_, fmt::format("read error: {}", std::strerror(errno)));
    in_.resize(got);
    in_pos_ = 0;
    return got > 0;
  }

  size_t copy_into(uint8_t* out, size_t n) {
    size_t done = 0;
    while (done < n && fill()) {
      const size_t take = std::min(n - done, in_.size() - in_pos_);
      std::memcpy(out + done, in_.data() + in_pos_, take);
      in_pos_ += take;
      done += take;
    }
    return done;
  }

  size_t inflate_into(uint8_t* out, size_t n) {
    const std::string corrupt = "corrupt or truncated gzip data";
    size_t done = 0;
    while (done < n && !ended_) {
      const bool more_input = fill();
      zs_.next_in = in_.data() + in_pos_;
      zs_.avail_in = static_cast<uInt>(in_.size() - in_pos_);
      zs_.next_out = out + done;
      zs_.avail_out = static_cast<uInt>(std::min<size_t>(n - done, UINT_MAX));
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      in_pos_ = in_.size() - zs_.avail_in;
      const size_t produced = static_cast<size_t>(zs_.next_out - (out + done));
      done += produced;
      total_out_ += produced;
      if (rc == Z_STREAM_END) {
        // Another member may follow; anything else after the stream is an error.
        if (!next_two_bytes()) {
          if (in_pos_ == in_.size()) {
            ended_ = true;
            break;
          }
        } else if (in_[in_pos_] == 0x1f && in_[in_pos_ + 1] == 0x8b) {
          inflateReset(&zs_);
          continue;
        }
        fail(path_, fmt::format("{} ({} bytes of non-gzip data after the compressed stream)",
                                corrupt, remaining_input()));
      }
      if (rc == Z_OK || (rc == Z_BUF_ERROR && more_input)) continue;
      if (rc == Z_BUF_ERROR)
        fail(path_, fmt::format("{} (the compressed stream ends early, after {} bytes of output)",
                                corrupt, total_out_));
      fail(path_, fmt::format("{} (zlib: {})", corrupt,
                              zs_.msg ? zs_.msg : "error " + std::to_string(rc)));
    }
    return done;
  }

  // Whether two unread input bytes are buffered (reading on when one is left: a member's magic
  // may straddle two chunks).
  bool next_two_bytes() {
    if (in_.size() - in_pos_ >= 2) return true;
    if (!fill()) return false;
    if (in_.size() - in_pos_ >= 2) return true;
    const uint8_t last = in_[in_pos_];
    in_.assign(1 + kReadChunk, 0);
    in_[0] = last;
    in_pos_ = 0;
    const size_t got = std::fread(in_.data() + 1, 1, kReadChunk, file_.get());
    in_.resize(1 + got);
    return got > 0;
  }

  // Input bytes not yet inflated: what is buffered and what the file still holds.
  uint64_t remaining_input() {
    uint64_t rest = in_.size() - in_pos_;
    uint8_t scratch[4096];
    for (size_t got; (got = std::fread(scratch, 1, sizeof scratch, file_.get())) > 0;) rest += got;
    return rest;
  }

  std::filesystem::path path_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  uint64_t file_size_ = 0;
  std::vector<uint8_t> in_;
  size_t in_pos_ = 0;
  bool gzip_ = false;
  bool ended_ = false;
  z_stream zs_{};
  uint64_t total_out_ = 0;
};

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

// The data must end where the header says: a gzip bomb stops here, soon past it (a megabyte
// further, to tell a corrupt stream, which then says so, from one that holds more).
void check_ends(const std::filesystem::path& path, IdxStream& in, uint64_t declared,
                const std::string& described) {
  uint8_t extra = 0;
  if (in.read(&extra, 1) > 0) {
    if (in.gzip()) in.skip(kReadChunk);
    fail(path, fmt::format("{} more than the {} bytes its IDX header declares {}",
                           in.gzip() ? "inflates to" : "holds", declared, described));
  }
}

IdxArray parse(const std::filesystem::path& path, IdxStream& in, bool ubyte_as_bytes) {
  uint8_t header[4 + 4 * kMaxDims];
  const size_t magic_bytes = in.read(header, 4);
  if (magic_bytes < 4)
    fail(path, fmt::format("truncated: the IDX header needs a 4-byte magic number, found {} bytes",
                           magic_bytes));
  uint32_t magic = load_be32(header);
  const std::string expected = "(expected 0x0000TTDD with a type code 08, 09, 0B, 0C, 0D or 0E)";
  if (header[0] != 0 || header[1] != 0)
    fail(path, fmt::format("bad IDX magic number {:#010x} {}", magic, expected));
  const TypeInfo* type = find_type(header[2]);
  if (!type)
    fail(path, fmt::format("bad IDX magic number {:#010x}: unknown type code {:02x} {}", magic,
                           header[2], expected));
  int ndims = header[3];
  if (ndims < 1 || ndims > kMaxDims)
    fail(path, fmt::format("bad IDX magic number {:#010x}: {} dimensions (expected 1 to {})", magic,
                           ndims, kMaxDims));

  const size_t header_bytes = 4 + 4 * static_cast<size_t>(ndims);
  const size_t dim_bytes = in.read(header + 4, header_bytes - 4);
  if (4 + dim_bytes < header_bytes)
    fail(path, fmt::format("truncated: the IDX header needs {} bytes for {} dimensions, found {}",
                           header_bytes, ndims, 4 + dim_bytes));
  IdxArray result;
  result.type_code = type->code;
  uint64_t count = 1;
  bool overflow = false;
  for (int i = 0; i < ndims; ++i) {
    uint32_t d = load_be32(header + 4 + 4 * i);
    result.dims.push_back(d);
    if (d == 0) fail(path, fmt::format("dimension {} of {} has size 0", i, ndims));
    overflow |= __builtin_mul_overflow(count, uint64_t{d}, &count);
  }
  uint64_t expected_bytes = 0;
  overflow |= __builtin_mul_overflow(count, uint64_t{type->size}, &expected_bytes);
  if (overflow || expected_bytes > SIZE_MAX / 4)
    fail(path, fmt::format("dimensions {} of {} values overflow a 64-bit byte count",
                           dims_text(result.dims), type->name));
  const std::string described =
      fmt::format("(dims {}, type {})", dims_text(result.dims), type->name);

  // What the file can hold bounds what the header may declare, before anything is allocated.
  const uint64_t size = in.file_size();
  const bool sized = !in.gzip() && size >= header_bytes;  // a raw file whose size is known
  if (sized && size - header_bytes < expected_bytes)
    fail(path, fmt::format("truncated: expected {} bytes of data, found {} {}", expected_bytes,
                           size - header_bytes, described));
  if (sized && size - header_bytes > expected_bytes)
    fail(path, fmt::format("has {} trailing bytes after the expected {} bytes of data {}",
                           size - header_bytes - expected_bytes, expected_bytes, described));
  if (in.gzip() && size > 0 && expected_bytes / kMaxDeflateRatio > size)
    fail(path,
         fmt::format("the IDX header declares {} bytes of data {}, but {} bytes of gzip "
                     "data inflate to at most {} (deflate expands at most {}:1)",
                     expected_bytes, described, size, size * kMaxDeflateRatio, kMaxDeflateRatio));
  const bool as_bytes = ubyte_as_bytes && type->code == 0x08;
  check_fits_in_memory(static_cast<double>(count) * (as_bytes ? 1 : sizeof(float)),
                       path.string() + ": " + std::to_string(count) + " values " + described);
  if (as_bytes) {
    // Read at random rows by every batch's gather: huge pages spare it most TLB misses.
    result.bytes.reserve(static_cast<size_t>(count));
    advise_huge_pages(result.bytes.data(), static_cast<size_t>(count));
    result.bytes.resize(static_cast<size_t>(count));
    const size_t got = in.read(result.bytes.data(), result.bytes.size());
    if (got < result.bytes.size())
      fail(path, fmt::format("truncated: expected {} bytes of data, found {} {}", expected_bytes,
                             got, described));
    check_ends(path, in, header_bytes + expected_bytes, described);
    return result;
  }

  // The values, converted a chunk at a time: no copy of the file's bytes is kept.
  result.values.resize(static_cast<size_t>(count));
  std::vector<uint8_t> chunk(kReadChunk / type->size * type->size);
  uint64_t found = 0;
  while (found < expected_bytes) {
    const auto wanted =
        static_cast<size_t>(std::min<uint64_t>(chunk.size(), expected_bytes - found));
    const size_t got = in.read(chunk.data(), wanted);
    if (got < wanted)
      fail(path, fmt::format("truncated: expected {} bytes of data, found {} {}", expected_bytes,
                             found + got, described));
    convert(*type, chunk.data(), got / type->size, result.values.data() + found / type->size);
    found += got;
  }
  check_ends(path, in, header_bytes + expected_bytes, described);
  return result;
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& path, bool ubyte_as_bytes) {
  IdxStream in(path);
  return parse(path, in, ubyte_as_bytes);
}

}  // namespace descent
