#include "descent/experiments/registry.h"

#include <stdexcept>

#include "descent/util/suggest.h"

namespace descent::experiments {

// Each defined in the file of its name.
Experiment curse_of_dimensionality_experiment();
Experiment universal_approximation_experiment();
Experiment bias_variance_experiment();

const std::vector<Experiment>& all_experiments() {
  static const std::vector<Experiment> table = {
      universal_approximation_experiment(),
      curse_of_dimensionality_experiment(),
      bias_variance_experiment(),
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
