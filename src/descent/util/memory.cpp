#include "descent/util/memory.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "descent/util/work_context.h"

namespace descent {
namespace {

constexpr uint64_t kUnknown = std::numeric_limits<uint64_t>::max();

// A "Key:   123 kB" line of /proc/meminfo, in bytes.
uint64_t meminfo_bytes(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    uint64_t kb = 0;
    if (fields >> kb) return kb * 1024;
  }
  return kUnknown;
}

uint64_t read_number(const char* path) {
  std::ifstream in(path);
  uint64_t value = 0;
  return in >> value ? value : kUnknown;  // "max" (no limit) reads as unknown
}

// Room under ulimit -v: the limit less what the process has mapped already.
uint64_t address_space_room() {
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return kUnknown;
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  statm >> pages;
  const uint64_t mapped = pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return limit.rlim_cur > mapped ? limit.rlim_cur - mapped : 0;
}

// Room under a cgroup v2 memory limit (containers, systemd slices).
uint64_t cgroup_room() {
  const uint64_t max = read_number("/sys/fs/cgroup/memory.max");
  const uint64_t current = read_number("/sys/fs/cgroup/memory.current");
  if (max == kUnknown || current == kUnknown) return kUnknown;
  return max > current ? max - current : 0;
}

}  // namespace

uint64_t available_memory() {
  uint64_t system = meminfo_bytes("MemAvailable");
  if (system == kUnknown)
    system = static_cast<uint64_t>(sysconf(_SC_AVPHYS_PAGES)) *
             static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return std::min({system, address_space_room(), cgroup_room()});
}

std::string byte_text(double bytes) {
  if (bytes < 1000) return std::to_string(static_cast<int64_t>(bytes)) + " bytes";
  const char* units[] = {"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  size_t unit = 0;
  double value = bytes / 1000;
  while (value >= 999.95 && unit + 1 < std::size(units)) {
    value /= 1000;
    ++unit;
  }
  char text[64];
  std::snprintf(text, sizeof text, value < 10 ? "%.1f %s" : "%.0f %s", value, units[unit]);
  return text;
}

void check_fits_in_memory(double bytes, const std::string& what, uint64_t reusable) {
  const uint64_t available = available_memory() + reusable;
  if (bytes <= static_cast<double>(available)) return;  // NaN does not fit
  const std::string doing = work_context();
  throw MemoryLimitError((doing.empty() ? "" : doing + ": ") + what + " needs " + byte_text(bytes) +
                         ", more than the " + byte_text(static_cast<double>(available)) +
                         " of memory available");
}

void advise_huge_pages(void* data, size_t bytes) {
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHugePage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace descent
