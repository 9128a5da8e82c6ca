#include "descent/experiments/registry.h"

#include <stdexcept>

#include "descent/util/suggest.h"

namespace descent::experiments {

// Each defined in the file of its name.
Experiment curse_of_dimensionality_experiment();
Experiment loss_landscape_experiment();
Experiment early_stopping_experiment();
Experiment batch_size_experiment();

const std::vector<Experiment>& all_experiments() {
  static const std::vector<Experiment> table = {
      curse_of_dimensionality_experiment(),
      loss_landscape_experiment(),
      early_stopping_experiment(),
      batch_size_experiment(),
  };
  return table;
}

const Experiment& find_experiment(const std::string& name) {
  std::vector<std::string> names;
  for (const Experiment& e : all_experiments()) {
    if (e.name == name) return e;
    names.push_back(e.name);
  }
  throw std::invalid_argument("no experiment '" + name + "'" + did_you_mean(name, names) +
                              "; descent experiment --list shows them");
}

}  // namespace descent::experiments
