#include "descent/distributed/communicator.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace descent {

#ifdef DESCENT_HAVE_MPI
std::unique_ptr<Communicator> make_mpi_world();  // mpi_communicator.cpp
#endif

namespace {

class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_size() const override { return 1; }
  void sum(float*, int64_t) override {}
  void start_sum(float*, int64_t) override {}
  void finish_sums() override {}
  void gather(const float* in, int64_t n, float* out) override { std::copy_n(in, n, out); }
  std::vector<std::string> gather_text(const std::string& text) override { return {text}; }
  void broadcast(std::string&) override {}
  bool any(bool flag) override { return flag; }
};

int read_size(const char* name) {
  const char* text = std::getenv(name);
  if (!text || !*text) return 0;
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (*end || v < 1 || v > 1000000)
    throw std::runtime_error(std::string("$") + name + "='" + text +
                             "': expected a whole number of ranks (set by the MPI launcher)");
  return static_cast<int>(v);
}

}  // namespace

Communicator& single_process() {
  static SingleProcess one;
  return one;
}

int launcher_world_size() {
  const int open_mpi = read_size("OMPI_COMM_WORLD_SIZE");
  return open_mpi > 0 ? open_mpi : read_size("PMI_SIZE");
}

Communicator& world() {
  const int ranks = launcher_world_size();
  if (ranks == 0) return single_process();
#ifdef DESCENT_HAVE_MPI
  static std::unique_ptr<Communicator> mpi = make_mpi_world();
  return *mpi;
#else
  if (ranks == 1) return single_process();
  throw std::runtime_error("started as " + std::to_string(ranks) +
                           " MPI ranks, but this descent was built without MPI (install "
                           "libopenmpi-dev, scripts/setup, and build again)");
#endif
}

RowRange part_of(int64_t rows, int64_t part, int64_t parts) {
  const int64_t first = rows * part / parts;
  return {first, rows * (part + 1) / parts - first};
}

}  // namespace descent
