#pragma once
// Gradients whose bits do not depend on the number of ranks (train.deterministic_reduction).
// Every global batch is cut into the same `micro_shards` parts however many ranks there are;
// rank r computes parts [r K / p, (r + 1) K / p), each gradient kept in a slot of its own;
// finish() gathers all K slots on every rank and adds them in part order, 0 + g_0 + g_1 + ...
// One process computes the same parts the same way, so 1, 2 and 4 ranks give the same weights.
// A plain allreduce cannot: its order of additions depends on the ranks, and one GEMM over a
// batch rounds differently from the sum of its shards' GEMMs.
#include <vector>

#include "descent/distributed/communicator.h"
#include "descent/tensor/tensor.h"

namespace descent {

class OrderedGradientSum {
 public:
  // Throws when `micro_shards` is not a multiple of the ranks.
  OrderedGradientSum(Communicator& comm, std::vector<Tensor> params, int64_t micro_shards);

  int64_t first() const { return first_; }  // this rank's parts: [first, first + count)
  int64_t count() const { return count_; }

  void clear();              // before a step: every slot zero
  void keep(int64_t local);  // slot `local` += the parameters' gradients, which become zero
  void finish();             // the ordered sum of all parts into the parameters' gradients

 private:
  Communicator& comm_;
  std::vector<Tensor> params_;
  int64_t parts_, first_, count_, numel_ = 0;
  std::vector<float> slots_, all_;
};

}  // namespace descent
