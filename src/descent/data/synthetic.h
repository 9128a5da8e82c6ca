#pragma once
// Seeded synthetic datasets for small classification and regression tasks (2-D inputs, except
// sine's 1-D). Each call draws n examples from the generator, so a train and a test set come from
// two generators.
//   spirals   `classes` interleaved arms: r = t, angle = 4 (k + t) + noise N(0, noise^2) (radians), t in [0, 1)
//   moons     two half circles (scikit-learn's make_moons), coordinates + N(0, noise^2)
//   circles   two concentric circles, radii 1 and 0.5, coordinates + N(0, noise^2)
//   blobs     `classes` Gaussian clusters with std `noise` around centers drawn in [-5, 5]^2
//             (centers from a generator seeded by `classes` alone, so train and test share them)
//   xor       uniform points in [-1, 1]^2, label (x > 0) xor (y > 0), coordinates + N(0, noise^2)
//   sine      x uniform in [-pi, pi], target sin(x) + N(0, noise^2), regression [n, 1]
#include <string>
#include <vector>

#include "descent/data/dataset.h"

namespace descent {

struct SyntheticOptions {
  int64_t size = 1000;
  double noise = -1;     // < 0: the set's default (spirals 0.2, moons 0.1, circles 0.05, blobs 1,
                         // xor 0.1, sine 0.1)
  int64_t classes = 3;   // spirals and blobs
};

const std::vector<std::string>& synthetic_dataset_names();
bool is_synthetic_dataset(const std::string& name);

// Throws std::invalid_argument for an unknown name (listing the valid ones) or bad options.
Dataset make_synthetic_dataset(const std::string& name, const SyntheticOptions& options,
                               Generator& gen);

}  // namespace descent
