#include "descent/data/label_noise.h"

#include <stdexcept>
#include <string>

#include "descent/util/number_text.h"

namespace descent {

int64_t randomize_labels(Dataset& data, double fraction, Generator& gen) {
  if (!(fraction >= 0 && fraction <= 1))
    throw std::invalid_argument("label noise " + shortest_text(fraction) +
                                " is not a fraction in [0, 1]");
  if (data.num_classes < 2)
    throw std::invalid_argument(data.name +
                                " has no classes: label noise needs a classification set");
  float* labels = data.targets.data();
  int64_t changed = 0;
  for (int64_t i = 0; i < data.size(); ++i) {
    // Both draws every time: the stream, and so the labels chosen, do not depend on the fraction.
    const bool replace = gen.uniform() < fraction;
    const auto label = static_cast<float>(gen.below(static_cast<uint64_t>(data.num_classes)));
    if (!replace) continue;
    changed += labels[i] != label;
    labels[i] = label;
  }
  return changed;
}

}  // namespace descent
