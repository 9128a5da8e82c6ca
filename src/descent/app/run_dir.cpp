#include "descent/app/run_dir.h"

#include <ctime>
#include <stdexcept>
#include <string>

namespace descent {

void check_run_dir_is_free(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir)) return;
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("--out " + dir.string() + " exists and is not a directory");
  if (!std::filesystem::is_empty(dir))
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

}  // namespace descent
