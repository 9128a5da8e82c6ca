#pragma once
// PNG images for figures (image grids embed them in their specs), encoded by libpng, and the
// `data:` URLs that carry them inline.
#include <cstdint>
#include <string>
#include <vector>

namespace descent::plot {

// A PNG file's bytes: width x height pixels of `channels` 8-bit samples (1: grey, 3: RGB),
// row-major from the top row, channels interleaved. Throws std::invalid_argument on a size or
// channel count that does not fit, std::runtime_error when libpng fails.
std::string encode_png(int64_t width, int64_t height, int channels,
                       const std::vector<uint8_t>& bytes);

// The image as a data URL: "data:image/png;base64,...".
std::string png_data_url(const std::string& png);

}  // namespace descent::plot
