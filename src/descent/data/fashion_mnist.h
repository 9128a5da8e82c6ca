#pragma once
// Fashion-MNIST (and MNIST, which shares the layout): four gzipped IDX files in one directory.
// Images become [n, 784] floats in [0, 1]; labels become class indices [n].
#include <filesystem>

#include "descent/data/dataset.h"

namespace descent {

struct ImageClassificationData {
  Dataset train, test;
};

// Throws DataError naming the directory or file, and how to get the data when it is missing.
ImageClassificationData load_fashion_mnist(const std::filesystem::path& dir);

// The test set alone (the t10k files), for readers that need no training data (a run's figures):
// a sixth of the reading.
Dataset load_fashion_mnist_test(const std::filesystem::path& dir);

}  // namespace descent
