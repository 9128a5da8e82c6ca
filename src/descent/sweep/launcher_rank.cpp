#include "descent/sweep/launcher_rank.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace descent::sweep {
namespace {

bool read_int(const char* name, int& value) {
  const char* text = std::getenv(name);
  if (!text) return false;
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (!*text || *end || v < 0 || v > 1000000)
    throw std::runtime_error(std::string("$") + name + "='" + text +
                             "': expected a whole number (set by the MPI launcher)");
  value = static_cast<int>(v);
  return true;
}

}  // namespace

LauncherRank launcher_rank() {
  LauncherRank r;
  for (const auto& [rank, size] : {std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                                   std::pair{"PMI_RANK", "PMI_SIZE"}}) {
    int a = 0, b = 0;
    if (read_int(rank, a) && read_int(size, b)) {
      if (b < 1 || a >= b)
        throw std::runtime_error(std::string("$") + rank + "=" + std::to_string(a) +
                                 " is not below $" + size + "=" + std::to_string(b));
      r.rank = a;
      r.size = b;
      return r;
    }
  }
  return r;
}

}  // namespace descent::sweep
