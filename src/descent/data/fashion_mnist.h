#pragma once
// Fashion-MNIST (and MNIST, which shares the layout): four gzipped IDX files in one directory.
// Images become [n, 784] floats in [0, 1]; labels become class indices [n].
#include <filesystem>

#include "descent/data/dataset.h"

namespace descent {

struct ImageClassificationData {
  Dataset train, test;
};

// Images of one IDX file [n, rows, cols] as [n, rows * cols] floats in [0, 1] (each value / 255,
// whatever the file's type); the image size in `rows` and `cols`. Throws DataError naming the
// file when it is not 3-dimensional.
Tensor read_idx_images(const std::filesystem::path& path, int64_t& rows, int64_t& cols);

// Class labels 0..9 of one IDX file [count] as floats. Throws DataError naming the file when it
// holds another number of labels (`images` names the file they must match) or one outside 0..9.
Tensor read_idx_labels(const std::filesystem::path& path, int64_t count,
                       const std::filesystem::path& images);

// An images file and its labels file (one label per image, 0..9) as a dataset of 10 classes.
Dataset read_labelled_images(const std::filesystem::path& images_path,
                             const std::filesystem::path& labels_path, const std::string& name);

// Throws DataError naming the directory or file, and how to get the data when it is missing.
ImageClassificationData load_fashion_mnist(const std::filesystem::path& dir);

// The test set alone (the t10k files), for readers that need no training data (a run's figures):
// a sixth of the reading.
Dataset load_fashion_mnist_test(const std::filesystem::path& dir);

}  // namespace descent
