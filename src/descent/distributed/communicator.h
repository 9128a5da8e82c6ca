#pragma once
// The processes that train one model together (data parallelism, docs/distributed.md). Every
// rank holds a full replica and computes on its shard of every batch; the ranks sum gradients and
// tallies before each identical optimizer step. One process is a world of one rank, where every
// collective is a copy or nothing, so the trainer has one code path.
#include <cstdint>
#include <string>
#include <vector>

namespace descent {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Ranks on this machine (they share its cores).
  virtual int local_size() const = 0;

  // Sums `n` floats over the ranks in place; every rank gets the sum.
  virtual void sum(float* data, int64_t n) = 0;
  // The same, started without waiting: the buffer must not be touched until finish_sums().
  virtual void start_sum(float* data, int64_t n) = 0;
  // Lets started sums move on (MPI progresses them only inside its calls).
  virtual void progress() {}
  virtual void finish_sums() = 0;

  // Every rank's `n` values, in rank order, on every rank (`out` holds size() * n).
  virtual void gather(const float* in, int64_t n, float* out) = 0;
  // Every rank's text, in rank order, on every rank (lengths may differ).
  virtual std::vector<std::string> gather_text(const std::string& text) = 0;
  // Rank 0's text on every rank.
  virtual void broadcast(std::string& text) = 0;
  // True on every rank when `flag` is true on any.
  virtual bool any(bool flag) = 0;
};

// A world of one process.
Communicator& single_process();

// The ranks of the launcher that started this program: MPI's world (initialized on the first
// call, finalized at exit) under mpirun, else single_process(). Throws when a launcher started
// several ranks and this build has no MPI.
Communicator& world();

// Whether an MPI launcher started this process (Open MPI's OMPI_COMM_WORLD_SIZE, or PMI_SIZE),
// and as how many ranks: 0 when none did. Reads the environment only; initializes nothing.
int launcher_world_size();

// The first rows and the count of part `part` of `parts` near-equal parts of `rows` rows:
// [rows * part / parts, rows * (part + 1) / parts).
struct RowRange {
  int64_t first = 0, count = 0;
};
RowRange part_of(int64_t rows, int64_t part, int64_t parts);

}  // namespace descent
