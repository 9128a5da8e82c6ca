#pragma once
// Training runs made by an experiment: a configuration from --set style overrides (the defaults
// are `descent train`'s: the default MLP on Fashion-MNIST with Adam), trained into a
// subdirectory of the experiment's directory exactly as `descent train` would, without its
// progress lines unless -v.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "descent/app/run.h"

namespace descent::experiments {

// Trains into `dir`, replacing what an earlier run of the experiment left there. Report pages
// are not written (report.write=false is added before `overrides`).
// `edit`, when given, changes the loaded data before the model is built (its size included).
using DataEdit = std::function<void(ExperimentData&)>;
RunOutcome train_quietly(const std::filesystem::path& dir,
                         const std::vector<std::string>& overrides, const DataEdit& edit = {});

}  // namespace descent::experiments
