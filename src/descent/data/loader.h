#pragma once
// Minibatches over a Dataset: a fresh seeded shuffle every epoch (from the caller's generator, so
// a checkpoint that saves the generator resumes the same order), fixed batch size, and an option
// to drop the last, smaller batch.
#include <vector>

#include "descent/data/dataset.h"

namespace descent {

struct Batch {
  Tensor inputs;
  Tensor targets;
  int64_t size() const { return inputs.size(0); }
};

class DataLoader {
 public:
  DataLoader(const Dataset& data, int64_t batch_size, bool shuffle, bool drop_last);

  int64_t num_batches() const;
  void start_epoch(Generator& gen);  // draws the epoch's order (when shuffling)
  bool next(Batch& batch);           // false at the end of the epoch
  // The next batch's rows (dataset indices, in the epoch's order) without gathering them; false
  // at the end of the epoch. Data-parallel training gathers each rank's share (gather()).
  bool next_rows(const int64_t*& rows, int64_t& count);
  void gather(const int64_t* rows, int64_t count, Batch& batch) const;
  void skip(int64_t batches);  // passes over batches unread (resuming mid-epoch)
  const Dataset& dataset() const { return data_; }

 private:
  const Dataset& data_;
  int64_t batch_size_;
  bool shuffle_, drop_last_;
  std::vector<int64_t> order_;
  int64_t position_ = 0;
};

}  // namespace descent
