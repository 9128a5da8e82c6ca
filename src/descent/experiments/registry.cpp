#include "descent/experiments/registry.h"

#include <stdexcept>

#include "descent/util/suggest.h"

namespace descent::experiments {

// Each defined in the file of its name.
Experiment curse_of_dimensionality_experiment();
Experiment universal_approximation_experiment();
Experiment bias_variance_experiment();
Experiment double_descent_experiment();
Experiment deep_double_descent_experiment();
Experiment noise_ball_experiment();
Experiment ill_conditioning_experiment();
Experiment optimizer_paths_experiment();
Experiment momentum_bias_correction_experiment();
Experiment activations_experiment();
Experiment schedules_experiment();
Experiment warmup_experiment();
Experiment saddle_points_experiment();
Experiment cliffs_experiment();
Experiment loss_landscape_experiment();
Experiment early_stopping_experiment();
Experiment batch_size_experiment();
Experiment autoencoder_codes_experiment();
Experiment denoising_experiment();
Experiment grid_vs_random_experiment();

const std::vector<Experiment>& all_experiments() {
  // clang-format off
  static const std::vector<Experiment> table = {
      universal_approximation_experiment(),
      activations_experiment(),
      curse_of_dimensionality_experiment(),
      bias_variance_experiment(),
      double_descent_experiment(),
      deep_double_descent_experiment(),
      noise_ball_experiment(),
      batch_size_experiment(),
      optimizer_paths_experiment(),
      momentum_bias_correction_experiment(),
      schedules_experiment(),
      warmup_experiment(),
      ill_conditioning_experiment(),
      saddle_points_experiment(),
      cliffs_experiment(),
      loss_landscape_experiment(),
      early_stopping_experiment(),
      autoencoder_codes_experiment(),
      denoising_experiment(),
      grid_vs_random_experiment(),
  };
  // clang-format on
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
