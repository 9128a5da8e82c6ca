#pragma once
// Every experiment, by name (registry.cpp holds the table).
#include <string>
#include <vector>

#include "descent/experiments/experiment.h"

namespace descent::experiments {

const std::vector<Experiment>& all_experiments();

// The experiment called `name`; throws std::invalid_argument listing the names (with a
// did-you-mean) when there is none.
const Experiment& find_experiment(const std::string& name);

}  // namespace descent::experiments
