#include "descent/plot/png.h"

#include <png.h>

#include <stdexcept>

namespace descent::plot {
namespace {

std::string base64(const std::string& bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    for (int shift : {18, 12, 6, 0}) out += kDigits[(v >> shift) & 63];
  }
  if (const size_t rest = bytes.size() - i; rest > 0) {
    const uint32_t v = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0);
    out += kDigits[(v >> 18) & 63];
    out += kDigits[(v >> 12) & 63];
    out += rest == 2 ? kDigits[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace

std::string encode_png(int64_t width, int64_t height, int channels,
                       const std::vector<uint8_t>& bytes) {
  if (channels != 1 && channels != 3)
    throw std::invalid_argument("encode_png: " + std::to_string(channels) +
                                " channels (expected 1 for grey or 3 for RGB)");
  // PNG's limit is 2^31 - 1 per side; far below it, the product must fit the buffer.
  constexpr int64_t kMaxSide = 1 << 20;
  if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide)
    throw std::invalid_argument("encode_png: " + std::to_string(width) + " x " +
                                std::to_string(height) + " pixels (expected 1 .. " +
                                std::to_string(kMaxSide) + " per side)");
  if (static_cast<int64_t>(bytes.size()) != width * height * channels)
    throw std::invalid_argument("encode_png: " + std::to_string(bytes.size()) +
                                " bytes, expected width * height * channels = " +
                                std::to_string(width * height * channels));
  // libpng's simplified API: no setjmp, and the errors come back in image.message.
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  if (!png_image_write_get_memory_size(image, size, 0, bytes.data(), 0, nullptr))
    throw std::runtime_error(std::string("libpng: ") + image.message);
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, bytes.data(), 0, nullptr))
    throw std::runtime_error(std::string("libpng: ") + image.message);
  out.resize(size);
  return out;
}

std::string png_data_url(const std::string& png) { return "data:image/png;base64," + base64(png); }

}  // namespace descent::plot
