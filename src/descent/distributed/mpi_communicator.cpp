// The world of an MPI launcher (compiled only when CMake found MPI). Collectives on
// MPI_COMM_WORLD; sums started without waiting are MPI_Iallreduce requests, finished together.
#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "descent/distributed/communicator.h"

namespace descent {
namespace {

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string("MPI: ") + what + " failed: " + std::string(text, length));
}

int count_of(int64_t n) {
  if (n > INT_MAX)
    throw std::runtime_error("MPI: a message of " + std::to_string(n) +
                             " elements is over MPI's int count");
  return static_cast<int>(n);
}

class MpiWorld final : public Communicator {
 public:
  MpiWorld() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      int provided = 0;
      // Only the main thread calls MPI (OpenBLAS's threads never do).
      check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
      std::atexit([] {
        int finalized = 0;
        MPI_Finalized(&finalized);
        if (!finalized) MPI_Finalize();
      });
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &local_size_);
    MPI_Comm_free(&local);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_size() const override { return local_size_; }

  void sum(float* data, int64_t n) override {
    check(MPI_Allreduce(MPI_IN_PLACE, data, count_of(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
  }
  void start_sum(float* data, int64_t n) override {
    pending_.emplace_back();
    check(MPI_Iallreduce(MPI_IN_PLACE, data, count_of(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD,
                         &pending_.back()),
          "MPI_Iallreduce");
  }
  void progress() override {
    if (pending_.empty()) return;
    int done = 0;
    MPI_Testall(static_cast<int>(pending_.size()), pending_.data(), &done, MPI_STATUSES_IGNORE);
  }
  void finish_sums() override {
    if (pending_.empty()) return;
    check(MPI_Waitall(static_cast<int>(pending_.size()), pending_.data(), MPI_STATUSES_IGNORE),
          "MPI_Waitall");
    pending_.clear();
  }
  void gather(const float* in, int64_t n, float* out) override {
    check(MPI_Allgather(in, count_of(n), MPI_FLOAT, out, count_of(n), MPI_FLOAT, MPI_COMM_WORLD),
          "MPI_Allgather");
  }
  std::vector<std::string> gather_text(const std::string& text) override {
    const int length = count_of(static_cast<int64_t>(text.size()));
    std::vector<int> lengths(size_), offsets(size_);
    check(MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD),
          "MPI_Allgather");
    int64_t total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[r] = count_of(total);
      total += lengths[r];
    }
    std::string all(static_cast<size_t>(total), '\0');
    check(MPI_Allgatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                         MPI_CHAR, MPI_COMM_WORLD),
          "MPI_Allgatherv");
    std::vector<std::string> texts;
    for (int r = 0; r < size_; ++r) texts.push_back(all.substr(offsets[r], lengths[r]));
    return texts;
  }
  void broadcast(std::string& text) override {
    int64_t length = static_cast<int64_t>(text.size());
    check(MPI_Bcast(&length, 1, MPI_INT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
    text.resize(static_cast<size_t>(length));
    check(MPI_Bcast(text.data(), count_of(length), MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast");
  }
  bool any(bool flag) override {
    int value = flag ? 1 : 0, result = 0;
    check(MPI_Allreduce(&value, &result, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
    return result != 0;
  }

 private:
  int rank_ = 0, size_ = 1, local_size_ = 1;
  std::vector<MPI_Request> pending_;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_world() { return std::make_unique<MpiWorld>(); }

}  // namespace descent
