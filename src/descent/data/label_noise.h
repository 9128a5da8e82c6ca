#pragma once
// Label noise: a fraction of a classification set's labels replaced by random ones, the setting
// in which deep double descent shows most clearly (Nakkiran et al. 2019). data.label_noise applies
// it to the training split only, so the test error still measures the true labels.
#include <cstdint>

#include "descent/data/dataset.h"
#include "descent/util/random.h"

namespace descent {

// Each example, with probability `fraction`, gets a class drawn uniformly from all classes (its
// own included, so about fraction * (k - 1) / k of the labels end up wrong). Returns how many
// labels changed. Throws std::invalid_argument for a regression set or a fraction outside [0, 1].
int64_t randomize_labels(Dataset& data, double fraction, Generator& gen);

}  // namespace descent
