#pragma once
// Where the rows a forward pass sees sit in the whole batch, for what draws random numbers per
// example (dropout masks, input noise, a variational autoencoder's samples). In data-parallel
// training a rank (or a micro-shard) sees only some rows of each global batch; a ShardedDraws
// stream then draws as if for the whole batch and keeps its rows' values, so that every example
// gets the numbers one process training the whole batch would give it, on any number of ranks.
// Outside a BatchShardScope (evaluation, a model called directly), draws are plain sequential.
#include <cstdint>

#include "descent/util/random.h"

namespace descent {

struct BatchShard {
  int64_t first_row = 0;   // of the rows seen, in the whole batch
  int64_t total_rows = 0;  // of the whole batch; 0: no scope, the rows seen are the batch
  uint64_t batch = 0;      // which global batch (changes with every batch the trainer takes)
};

BatchShard current_batch_shard();

class BatchShardScope {
 public:
  explicit BatchShardScope(BatchShard shard);
  ~BatchShardScope();
  BatchShardScope(const BatchShardScope&) = delete;
  BatchShardScope& operator=(const BatchShardScope&) = delete;

 private:
  BatchShard previous_;
};

// A new number for each global batch (BatchShard::batch).
uint64_t next_batch_serial();

// One place that draws `per_row` values per example from a generator. On the first call for a
// global batch it notes the generator's state and moves the generator past the whole batch's
// draws; each call then replays the stream from that state, skipping the rows before its own.
// Several places may share a generator: each moves it past the whole batch in turn, as drawing
// the whole batch place after place does.
class ShardedDraws {
 public:
  template <class Draw, class Use>
  void draw(Generator& gen, int64_t rows, int64_t per_row, Draw&& draw, Use&& use) {
    const BatchShard s = current_batch_shard();
    if (s.total_rows == 0) {
      for (int64_t i = 0; i < rows * per_row; ++i) use(i, draw(gen));
      return;
    }
    if (s.batch != batch_) {
      batch_ = s.batch;
      start_ = gen;
      for (int64_t i = 0; i < s.total_rows * per_row; ++i) draw(gen);
    }
    Generator g = start_;
    for (int64_t i = 0; i < s.first_row * per_row; ++i) draw(g);
    for (int64_t i = 0; i < rows * per_row; ++i) use(i, draw(g));
  }

 private:
  uint64_t batch_ = 0;
  Generator start_;
};

}  // namespace descent
