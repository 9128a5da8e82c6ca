#pragma once
// Gradients summed over the ranks in a few large messages. Parameters are grouped, in reverse
// order (backward reaches the last layers first), into buckets of about `bucket_bytes`, each one
// flat buffer. With overlap on, a bucket's sum starts (non-blocking) as soon as backward has
// finished every gradient in it, while backward goes on with the earlier layers; finish() starts
// the rest, waits, and puts the sums back into the parameters' gradients. PyTorch's DDP does the
// same (25 MB buckets in reverse order); docs/distributed.md measures what the overlap buys.
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "descent/autograd/gradient_ready.h"
#include "descent/distributed/communicator.h"
#include "descent/tensor/tensor.h"

namespace descent {

class GradientBuckets {
 public:
  GradientBuckets(Communicator& comm, std::vector<Tensor> params, int64_t bucket_bytes,
                  bool overlap);

  // Opens the scope of the backward pass whose gradients are complete after it (the last of an
  // accumulation group): buckets start as their gradients are finished. Without overlap, nothing.
  std::optional<GradientReadyScope> watch_backward();
  // Sums every bucket not started yet, waits for all, and writes the sums into the gradients.
  void finish();

  size_t bucket_count() const { return buckets_.size(); }
  double wait_seconds() const { return wait_seconds_; }  // in finish(), since construction

 private:
  struct Bucket {
    std::vector<size_t> params;  // indices into params_
    std::vector<float> flat;
    size_t ready = 0;
    bool started = false;
  };
  void start(Bucket& b);

  Communicator& comm_;
  std::vector<Tensor> params_;
  std::vector<Bucket> buckets_;
  std::unordered_map<const TensorImpl*, size_t> bucket_of_;
  bool overlap_;
  double wait_seconds_ = 0;
};

}  // namespace descent
