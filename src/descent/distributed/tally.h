#pragma once
// The numbers a batch (or a chunk of an evaluation) adds to an epoch's metrics: losses times
// their example counts, examples, correct ones, the objective's terms. Each rank tallies its own
// parts; sum_over_ranks adds every part in the global order (rank order, each rank's parts in
// order), starting from zero, so every rank holds the same totals, and the same bits as one
// process adding the same parts in the same order.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "descent/distributed/communicator.h"

namespace descent {

struct Tally {
  double loss_sum = 0;       // finite losses times their example counts
  int64_t loss_samples = 0;  // examples behind loss_sum
  int64_t samples = 0;       // every example
  int64_t correct = 0;
  int64_t counted = 0;                  // examples behind `correct` (where accuracy applies)
  int64_t non_finite = 0;               // parts whose loss was NaN or infinite
  double non_finite_loss = 0;           // the first of them
  std::map<std::string, double> terms;  // the objective's terms times example counts

  void add(const Tally& other);
};

Tally sum_over_ranks(Communicator& comm, const std::vector<Tally>& parts);

}  // namespace descent
