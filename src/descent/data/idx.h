#pragma once
// IDX files, the format of MNIST and Fashion-MNIST. A file is a 4-byte magic number 0x0000TTDD
// (two zero bytes, a type code TT, the number of dimensions DD), then DD big-endian uint32
// dimension sizes, then the values in row-major order, each big-endian in the type's width:
// 0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64. The distributed
// files are usually gzip-compressed as a whole.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace descent {

// A data file that is missing, unreadable or malformed; what() names the file and the problem.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An IDX array: its dimensions and its values converted to float (no scaling). int32 values
// beyond 2^24 and float64 values lose precision in the conversion.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<float> values;   // row-major, product(dims) values
  std::vector<uint8_t> bytes;  // instead of values: a ubyte file read with ubyte_as_bytes
  uint8_t type_code =
      0;  // 0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
};

// Reads an IDX file, gzip-compressed (detected by the 1f 8b magic, not the name) or raw. Throws
// DataError when the file can't be read, the gzip data is corrupt or truncated, or the IDX
// header or payload length is wrong.
// With ubyte_as_bytes, a ubyte file's values stay bytes (a quarter of the memory).
IdxArray read_idx(const std::filesystem::path& path, bool ubyte_as_bytes = false);

}  // namespace descent
