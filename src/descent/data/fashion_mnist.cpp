#include "descent/data/fashion_mnist.h"

#include <cmath>
#include <memory>
#include <numeric>
#include <utility>

#include "descent/data/idx.h"
#include "descent/util/number_text.h"

namespace descent {
namespace {

std::filesystem::path find_file(const std::filesystem::path& dir, const std::string& stem) {
  for (const char* suffix : {".gz", ""}) {
    std::filesystem::path p = dir / (stem + suffix);
    if (std::filesystem::exists(p)) return p;
  }
  throw DataError(dir.string() + ": missing " + stem +
                  ".gz (expected the four Fashion-MNIST IDX "
                  "files: train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                  "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, gzipped or raw)");
}

Dataset load_split(const std::filesystem::path& dir, const std::string& prefix,
                   const std::string& name) {
  return read_labelled_images(find_file(dir, prefix + "-images-idx3-ubyte"),
                              find_file(dir, prefix + "-labels-idx1-ubyte"), name);
}

}  // namespace

namespace {
void check_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec))
    throw DataError("dataset directory '" + dir.string() +
                    "' is a file, not a directory (data.dir names the directory that holds the "
                    "four IDX files, e.g. train-images-idx3-ubyte.gz)");
  if (!std::filesystem::is_directory(dir, ec))
    throw DataError("dataset directory '" + dir.string() +
                    "' does not exist. Install the data with `apt-get install "
                    "dataset-fashion-mnist` (it goes to /usr/share/datasets/fashion-mnist), or "
                    "point to a copy with --set data.dir=PATH");
}
}  // namespace

namespace {

constexpr float kPixelScale = 1.0f / 255.0f;

// An images file [n, rows, cols], a ubyte file's pixels kept as bytes.
IdxArray read_images_file(const std::filesystem::path& path, int64_t& rows, int64_t& cols) {
  IdxArray images = read_idx(path, /*ubyte_as_bytes=*/true);
  if (images.dims.size() != 3)
    throw DataError(path.string() + ": expected 3 dimensions (n, rows, cols), found " +
                    std::to_string(images.dims.size()));
  rows = images.dims[1];
  cols = images.dims[2];
  return images;
}

// The pixels as floats in [0, 1]: each value / 255.
Tensor scaled_pixels(const std::filesystem::path& path, const IdxArray& images, int64_t width) {
  Tensor x = Tensor::empty({images.dims[0], width});
  float* out = x.data();
  for (size_t i = 0; i < images.bytes.size(); ++i)
    out[i] = static_cast<float>(images.bytes[i]) * kPixelScale;
  for (size_t i = 0; i < images.values.size(); ++i) {
    // Only a float file can hold these; one would make every loss NaN, far from its cause.
    if (!std::isfinite(images.values[i]))
      throw DataError(path.string() + ": pixel " + std::to_string(i % width) + " of image " +
                      std::to_string(i / width) + " is " + shortest_text(images.values[i]) +
                      " (expected a finite number)");
    out[i] = images.values[i] * kPixelScale;
  }
  return x;
}

}  // namespace

Tensor read_idx_images(const std::filesystem::path& path, int64_t& rows, int64_t& cols) {
  const IdxArray images = read_images_file(path, rows, cols);
  return scaled_pixels(path, images, rows * cols);
}

Tensor read_idx_labels(const std::filesystem::path& path, int64_t count,
                       const std::filesystem::path& images) {
  IdxArray labels = read_idx(path);
  if (labels.dims.size() != 1 || labels.dims[0] != count)
    throw DataError(path.string() + ": expected " + std::to_string(count) + " labels to match " +
                    images.string());
  for (size_t i = 0; i < labels.values.size(); ++i) {
    // Written so that NaN fails too; a float file may hold fractions, which are no class.
    const float label = labels.values[i];
    if (!(label >= 0 && label <= 9 && label == std::floor(label)))
      throw DataError(path.string() + ": label " + std::to_string(i) + " is " +
                      shortest_text(label) + " (expected a class index, an integer 0..9)");
  }
  return Tensor::from({count}, labels.values);
}

Dataset read_labelled_images(const std::filesystem::path& images_path,
                             const std::filesystem::path& labels_path, const std::string& name) {
  int64_t rows = 0, cols = 0;
  IdxArray images = read_images_file(images_path, rows, cols);
  Dataset d;
  d.name = name;
  if (images.bytes.empty()) {
    d.inputs = scaled_pixels(images_path, images, rows * cols);
  } else {  // kept as bytes (dataset.h)
    auto pixels = std::make_shared<ByteRows>();
    pixels->bytes = std::move(images.bytes);
    pixels->width = rows * cols;
    pixels->scale = kPixelScale;
    d.byte_inputs = std::move(pixels);
    d.byte_rows.resize(static_cast<size_t>(images.dims[0]));
    std::iota(d.byte_rows.begin(), d.byte_rows.end(), int64_t{0});
  }
  d.targets = read_idx_labels(labels_path, images.dims[0], images_path);
  d.num_classes = 10;
  return d;
}

ImageClassificationData load_fashion_mnist(const std::filesystem::path& dir) {
  check_directory(dir);
  return {load_split(dir, "train", "fashion-mnist train"),
          load_split(dir, "t10k", "fashion-mnist test")};
}

Dataset load_fashion_mnist_test(const std::filesystem::path& dir) {
  check_directory(dir);
  return load_split(dir, "t10k", "fashion-mnist test");
}

}  // namespace descent
