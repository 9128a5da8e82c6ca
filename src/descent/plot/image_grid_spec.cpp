// An ImageGrid as a Vega spec: each image is a PNG (png.h) in a data URL, drawn by an image mark
// at its place in the grid with smoothing off, so every image pixel stays a sharp block. Captions
// sit under the images, row titles to the left of their row. Places are computed here, in pixels.
#include <algorithm>
#include <cmath>
#include <string>

#include "descent/plot/png.h"
#include "descent/plot/spec_parts.h"

namespace descent::plot {
namespace {

using nlohmann::json;

constexpr int kMaxScale = 64;
constexpr int kGap = 6;             // pixels between images
constexpr int kCaptionHeight = 14;  // the caption's line under an image

// The image's samples as bytes: floats clamped to [0, 1] and rounded to 0..255.
std::vector<uint8_t> image_bytes(const Image& image) {
  if (!image.bytes.empty()) return image.bytes;
  std::vector<uint8_t> out(image.values.size());
  for (size_t k = 0; k < out.size(); ++k)
    out[k] = static_cast<uint8_t>(std::lround(std::clamp(image.values[k], 0.0f, 1.0f) * 255.0f));
  return out;
}

// Each pixel repeated into a factor x factor block.
std::vector<uint8_t> enlarged(const std::vector<uint8_t>& bytes, int64_t width, int64_t height,
                              int channels, int64_t factor) {
  if (factor == 1) return bytes;
  const int64_t row = width * factor * channels;
  std::vector<uint8_t> out(static_cast<size_t>(row * height * factor));
  for (int64_t y = 0; y < height; ++y) {
    uint8_t* first = out.data() + y * factor * row;
    for (int64_t x = 0; x < width; ++x)
      for (int64_t r = 0; r < factor; ++r)
        std::copy_n(bytes.data() + (y * width + x) * channels, channels,
                    first + (x * factor + r) * channels);
    for (int64_t r = 1; r < factor; ++r) std::copy_n(first, row, first + r * row);
  }
  return out;
}

}  // namespace

void check_image_grid(const ImageGrid& g) {
  check_figure_id(g.id);
  if (g.images.empty()) invalid_figure(g.id, "images", "empty (a grid needs at least one image)");
  if (g.columns < 1)
    invalid_figure(g.id, "columns", std::to_string(g.columns) + " (expected at least 1)");
  if (g.scale < 1 || g.scale > kMaxScale)
    invalid_figure(g.id, "scale",
                   std::to_string(g.scale) + " (expected 1 .. " + std::to_string(kMaxScale) +
                       " screen pixels per image pixel)");
  const Image& first = g.images.front();
  for (size_t k = 0; k < g.images.size(); ++k) {
    const Image& im = g.images[k];
    const std::string f = "images[" + std::to_string(k) + "]";
    if (im.width < 1 || im.height < 1)
      invalid_figure(g.id, f,
                     std::to_string(im.width) + " x " + std::to_string(im.height) +
                         " pixels (expected at least 1 x 1)");
    if (im.width != first.width || im.height != first.height)
      invalid_figure(g.id, f,
                     std::to_string(im.width) + " x " + std::to_string(im.height) +
                         " pixels, but images[0] is " + std::to_string(first.width) + " x " +
                         std::to_string(first.height) + " (a grid's images share one size)");
    if (im.channels != 1 && im.channels != 3)
      invalid_figure(g.id, f + ".channels",
                     std::to_string(im.channels) + " (expected 1 for grey or 3 for RGB)");
    if (im.values.empty() == im.bytes.empty())
      invalid_figure(g.id, f + ".values, " + f + ".bytes",
                     im.values.empty() ? "neither given (expected the pixels as one of them)"
                                       : "both given (expected exactly one)");
    const size_t n = im.values.empty() ? im.bytes.size() : im.values.size();
    const int64_t want = im.width * im.height * im.channels;
    if (static_cast<int64_t>(n) != want)
      invalid_figure(g.id, f + (im.values.empty() ? ".bytes" : ".values"),
                     std::to_string(n) +
                         " samples, expected width * height * channels = " + std::to_string(want));
    for (size_t s = 0; s < im.values.size(); ++s)
      if (!std::isfinite(im.values[s]))
        invalid_figure(g.id, f + ".values[" + std::to_string(s) + "]",
                       "not a finite number (pixel " + std::to_string(s / im.channels) + ")");
  }
  const int64_t rows = (static_cast<int64_t>(g.images.size()) + g.columns - 1) / g.columns;
  if (!g.row_titles.empty() && static_cast<int64_t>(g.row_titles.size()) != rows)
    invalid_figure(g.id, "row_titles",
                   std::to_string(g.row_titles.size()) + " titles, expected one per row (" +
                       std::to_string(rows) + ") or none");
}

json image_grid_spec(const ImageGrid& g, const SpecOptions& options) {
  check_image_grid(g);
  const int64_t n = static_cast<int64_t>(g.images.size());
  const int64_t columns = std::min(g.columns, n), rows = (n + g.columns - 1) / g.columns;
  const int64_t w = g.images.front().width, h = g.images.front().height;
  const int64_t iw = w * g.scale, ih = h * g.scale;
  const bool captions = std::any_of(g.images.begin(), g.images.end(),
                                    [](const Image& im) { return !im.caption.empty(); });
  const int64_t cell_h = ih + (captions ? kCaptionHeight : 0);
  const int W = static_cast<int>(columns * iw + (columns - 1) * kGap);
  const int H = static_cast<int>(rows * cell_h + (rows - 1) * kGap);
  const int64_t factor = options.image_pixel_ratio > 0 ? g.scale * options.image_pixel_ratio : 1;

  json images = json::array();
  for (int64_t k = 0; k < n; ++k) {
    const Image& im = g.images[k];
    const int64_t r = k / g.columns, c = k % g.columns;
    const std::string png = encode_png(w * factor, h * factor, im.channels,
                                       enlarged(image_bytes(im), w, h, im.channels, factor));
    images.push_back({{"k", k},
                      {"r", r},
                      {"c", c},
                      {"x", c * (iw + kGap)},
                      {"y", r * (cell_h + kGap)},
                      {"url", png_data_url(png)},
                      {"caption", im.caption}});
  }
  json titles = json::array();
  for (size_t r = 0; r < g.row_titles.size(); ++r)
    titles.push_back(
        {{"y", static_cast<int64_t>(r) * (cell_h + kGap) + ih / 2}, {"title", g.row_titles[r]}});

  json spec = spec_frame(g.title, W, H);
  spec["description"] = g.title.empty() ? g.id : g.title;
  spec["usermeta"] = {{"descent",
                       {{"kind", "image_grid"},
                        {"id", g.id},
                        {"rows", rows},
                        {"columns", columns},
                        {"image", {{"width", w}, {"height", h}}}}}};
  spec["data"] = json::array({{{"name", g.id + "_images"}, {"values", images}},
                              {{"name", g.id + "_row_titles"}, {"values", titles}}});
  json image = {{"x", {{"field", "x"}}},       {"y", {{"field", "y"}}},
                {"width", {{"value", iw}}},    {"height", {{"value", ih}}},
                {"url", {{"field", "url"}}},   {"aspect", {{"value", false}}},
                {"smooth", {{"value", false}}}};
  if (options.interactive)
    image["tooltip"] = {
        {"signal",
         "{'image': datum.k, 'row': datum.r, 'column': datum.c, 'caption': datum.caption, "
         "'size': '" +
             std::to_string(w) + " x " + std::to_string(h) + "'}"}};
  json marks = json::array({{{"type", "image"},
                             {"name", g.id + "_image"},
                             {"from", {{"data", g.id + "_images"}}},
                             {"encode", {{"update", image}}}}});
  if (captions)
    marks.push_back({{"type", "text"},
                     {"name", g.id + "_caption"},
                     {"interactive", false},
                     {"from", {{"data", g.id + "_images"}}},
                     {"encode",
                      {{"update",
                        {{"x", {{"field", "x"}, {"offset", iw / 2.0}}},
                         {"y", {{"field", "y"}, {"offset", ih + 2}}},
                         {"align", {{"value", "center"}}},
                         {"baseline", {{"value", "top"}}},
                         {"fontSize", {{"value", 10}}},
                         {"fill", {{"value", "#333333"}}},
                         {"limit", {{"value", iw + kGap}}},
                         {"text", {{"field", "caption"}}}}}}}});
  if (!titles.empty())
    marks.push_back({{"type", "text"},
                     {"name", g.id + "_row_title"},
                     {"interactive", false},
                     {"from", {{"data", g.id + "_row_titles"}}},
                     {"encode",
                      {{"update",
                        {{"x", {{"value", -8}}},
                         {"y", {{"field", "y"}}},
                         {"align", {{"value", "right"}}},
                         {"baseline", {{"value", "middle"}}},
                         {"fontSize", {{"value", 12}}},
                         {"fill", {{"value", "#1d1d1f"}}},
                         {"text", {{"field", "title"}}}}}}}});
  spec["marks"] = marks;
  return spec;
}

}  // namespace descent::plot
