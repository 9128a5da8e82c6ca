// read_idx on the input gzip-compressed by the harness, so that mutations reach the IDX parser
// and the gunzip loop's buffer handling with valid compressed streams. The first byte chooses
// the framing: one member, two members (the input split in half, as `cat a.gz b.gz` makes), or
// one member followed by the input's last bytes as trailing garbage.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>

#include "clean_error.h"
#include "descent/data/idx.h"
#include "memory_file.h"

namespace {

std::string gzip(const uint8_t* data, size_t size) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    std::abort();
  std::string out(deflateBound(&zs, size), '\0');
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = static_cast<uInt>(size);
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t framing = data[0] % 3;
  ++data;
  --size;
  std::string bytes;
  if (framing == 0) {
    bytes = gzip(data, size);
  } else if (framing == 1) {
    bytes = gzip(data, size / 2) + gzip(data + size / 2, size - size / 2);
  } else {
    const size_t tail = size < 4 ? size : 4;
    bytes = gzip(data, size - tail) +
            std::string(reinterpret_cast<const char*>(data) + size - tail, tail);
  }
  static descent::fuzz::MemoryFile file;
  file.assign(bytes);
  try {
    descent::read_idx(file.path());
  } catch (const std::exception& e) {
    descent::fuzz::expect_clean_error(e);
  }
  return 0;
}
