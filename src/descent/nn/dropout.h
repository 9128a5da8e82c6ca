#pragma once
// Dropout (inverted, as torch.nn.Dropout): in training mode each element is zeroed with
// probability p and the survivors are scaled by 1/(1-p), so the expected output equals the input
// and evaluation needs no rescaling. In evaluation mode, or with p = 0, it is the identity.
//
// The layer owns its Generator, so the masks depend only on its seed and on how many it has
// drawn; generators() exposes it for checkpoints. A mask draws one uniform per element in
// row-major order (dropped when the draw is < p). The backward pass multiplies by the same mask.
// A shard of a global batch (data-parallel training) gets its rows' part of the whole batch's
// masks (util/batch_shard.h): each example's mask is the one a single process would draw.
#include <cstdint>

#include "descent/nn/module.h"
#include "descent/util/batch_shard.h"
#include "descent/util/random.h"

namespace descent {

class Dropout : public Module {
 public:
  Dropout(double p, uint64_t seed);  // throws std::invalid_argument unless 0 <= p <= 1

  Tensor forward(const Tensor& x) override;
  std::vector<Generator*> generators() override { return {&gen_}; }
  std::string describe() const override;  // "Dropout(p=0.5)"

  double p() const { return p_; }

 private:
  double p_;
  Generator gen_;
  ShardedDraws draws_;  // a shard of a batch draws the whole batch's masks' stream
};

}  // namespace descent
