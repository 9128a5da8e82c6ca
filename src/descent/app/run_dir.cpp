#include "descent/app/run_dir.h"

#include <ctime>
#include <stdexcept>
#include <string>

#include "descent/app/run_lock.h"
#include "descent/io/atomic_file.h"

namespace descent {

bool run_dir_is_empty(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name != kLockFile && !is_abandoned_temporary(name)) return false;
  }
  return true;
}

void check_run_dir_is_free(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir)) return;
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("--out " + dir.string() + " exists and is not a directory");
  if (run_dir_is_empty(dir)) return;
  // A run training there gets the more useful answer: who.
  if (const pid_t holder = run_dir_holder(dir)) throw RunDirBusy(dir, holder);
  throw std::runtime_error("run directory " + dir.string() +
                           " already exists and is not empty; choose another --out");
}

std::filesystem::path default_run_dir() {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  std::filesystem::path base = std::filesystem::path("runs") / stamp;
  std::filesystem::path dir = base;
  for (int i = 2; std::filesystem::exists(dir); ++i) dir = base.string() + "-" + std::to_string(i);
  return dir;
}

void check_is_run_dir(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir / kConfigFile))
    throw std::runtime_error(dir.string() + " is not a run directory (no " + kConfigFile + ")");
}

std::filesystem::path finished_model_file(const std::filesystem::path& dir) {
  check_is_run_dir(dir);
  if (const pid_t holder = run_dir_holder(dir))
    throw std::runtime_error(
        dir.string() + " is still training (" +
        (holder > 0 ? "process " + std::to_string(holder) : std::string("another process")) +
        "): its " + kModelFile + " is written when training ends");
  const std::filesystem::path model = dir / kModelFile;
  if (std::filesystem::exists(model)) return model;
  if (std::filesystem::exists(dir / kCheckpointFile) &&
      !std::filesystem::exists(dir / kSummaryFile))
    throw std::runtime_error(dir.string() + " has not finished: it has no " + kModelFile +
                             ", only the checkpoint of a run (or a resume) that stopped part-way; "
                             "finish it with: descent train --resume " +
                             dir.string());
  throw std::runtime_error(dir.string() + " has no " + kModelFile + " (did the run finish?)");
}

}  // namespace descent
