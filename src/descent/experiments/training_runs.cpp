#include "descent/experiments/training_runs.h"

#include "descent/app/config.h"
#include "descent/app/experiment.h"
#include "descent/util/console.h"

namespace descent::experiments {

RunOutcome train_quietly(const std::filesystem::path& dir,
                         const std::vector<std::string>& overrides, const DataEdit& edit) {
  std::vector<std::string> sets = {"report.write=false"};
  sets.insert(sets.end(), overrides.begin(), overrides.end());
  Config config = load_config({}, sets);
  descent::Experiment experiment;
  if (edit) {
    ExperimentData data = load_experiment_data(config);
    edit(data);
    experiment = build_experiment_on(config, std::move(data));
  } else {
    experiment = build_experiment(config);
  }
  std::filesystem::remove_all(dir);
  const Verbosity before = verbosity();
  if (before != Verbosity::Verbose) set_verbosity(Verbosity::Quiet);
  try {
    RunOutcome outcome = train_run(experiment, dir);
    set_verbosity(before);
    return outcome;
  } catch (...) {
    set_verbosity(before);
    throw;
  }
}

}  // namespace descent::experiments
