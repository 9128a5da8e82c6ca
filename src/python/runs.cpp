// Training runs from Python, as `descent train` makes them: descent._core.train writes the run
// directory and says how the run ended; descent/runs.py reads the directory back.
#include <filesystem>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "descent/app/run.h"
#include "descent/app/run_lock.h"
#include "descent/io/safetensors.h"
#include "descent/train/interrupt.h"
#include "descent/util/console.h"
#include "descent/util/threads.h"
#include "python/arrays.h"

namespace descent_python {
namespace {

// Trains (or, with `resume`, continues) a run; the arguments are the command's: a TOML file (or
// ""), --set overrides and the run directory ("" for runs/<date-time>). Runs without the GIL;
// Ctrl-C stops it after the step in progress with a checkpoint, as in the command.
py::dict train(const std::string& config_file, const std::vector<std::string>& overrides,
               const std::string& out, const std::string& resume, bool quiet) {
  descent::set_verbosity(quiet ? descent::Verbosity::Quiet : descent::Verbosity::Normal);
  descent::RunOutcome outcome;
  std::vector<std::string> notes;
  {
    py::gil_scoped_release release;
    if (!resume.empty()) {
      const std::filesystem::path dir = resume;
      descent::check_is_run_dir(dir);
      const descent::RunLock lock(dir);
      descent::Experiment experiment = descent::load_resumable_run(dir, overrides);
      descent::set_num_threads(experiment.config.threads);
      outcome = descent::resume_run(experiment, dir);
    } else {
      descent::Config config = descent::load_config(config_file, overrides);
      descent::set_num_threads(config.threads);
      descent::Experiment experiment = descent::build_experiment(config);
      notes = experiment.config.notes;
      const std::filesystem::path dir =
          out.empty() ? descent::default_run_dir() : std::filesystem::path(out);
      outcome = descent::train_run(experiment, dir);
    }
  }
  py::dict result;
  result["dir"] = outcome.dir.string();
  result["stop_reason"] = descent::to_string(outcome.train.stop_reason);
  result["stop_message"] = outcome.train.stop_message;
  result["divergence"] = outcome.train.divergence;
  result["checkpoint"] = outcome.checkpoint.string();
  result["report_error"] = outcome.report_error;
  result["seconds"] = outcome.train.seconds;
  result["notes"] = notes;
  return result;
}

// name -> array, sharing the tensors' memory (no copy).
py::dict read_safetensors(const std::string& path) {
  descent::SafetensorsFile file = descent::load_safetensors(path);
  py::dict out;
  for (const auto& t : file.tensors)
    out[py::str(t.name)] = share_storage(t.tensor.impl()->data, t.tensor.shape());
  return out;
}

}  // namespace

void bind_runs(py::module_& m) {
  m.def("train", &train, py::arg("config_file"), py::arg("overrides"), py::arg("out"),
        py::arg("resume"), py::arg("quiet"));
  m.def("read_safetensors", &read_safetensors, py::arg("path"));
  m.def("set_num_threads", &descent::set_num_threads, py::arg("threads"));
  m.def("num_threads", &descent::num_threads);
}

}  // namespace descent_python
