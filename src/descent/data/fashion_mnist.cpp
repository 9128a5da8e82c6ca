#include "descent/data/fashion_mnist.h"

#include "descent/data/idx.h"

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
  const auto images_path = find_file(dir, prefix + "-images-idx3-ubyte");
  const auto labels_path = find_file(dir, prefix + "-labels-idx1-ubyte");
  IdxArray images = read_idx(images_path);
  IdxArray labels = read_idx(labels_path);
  if (images.dims.size() != 3)
    throw DataError(images_path.string() + ": expected 3 dimensions (n, rows, cols), found " +
                    std::to_string(images.dims.size()));
  if (labels.dims.size() != 1 || labels.dims[0] != images.dims[0])
    throw DataError(labels_path.string() + ": expected " + std::to_string(images.dims[0]) +
                    " labels to match " + images_path.string());
  const int64_t n = images.dims[0], features = images.dims[1] * images.dims[2];
  Dataset d;
  d.name = name;
  d.inputs = Tensor::empty({n, features});
  float* x = d.inputs.data();
  for (size_t i = 0; i < images.values.size(); ++i) x[i] = images.values[i] * (1.0f / 255.0f);
  d.targets = Tensor::from({n}, labels.values);
  d.num_classes = 10;
  for (float label : labels.values)
    if (label < 0 || label > 9)
      throw DataError(labels_path.string() + ": label " + std::to_string(label) +
                      " is outside 0..9");
  return d;
}

}  // namespace

namespace {
void check_directory(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir))
    throw DataError("dataset directory '" + dir.string() +
                    "' does not exist. Install the data with `apt-get install "
                    "dataset-fashion-mnist` (it goes to /usr/share/datasets/fashion-mnist), or "
                    "point to a copy with --set data.dir=PATH");
}
}  // namespace

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
