#pragma once
// add_noise (Neelakantan et al. 2015, "Adding Gradient Noise Improves Learning for Very Deep
// Networks"; optax's add_noise): u <- u + N(0, eta / (1 + t)^gamma), t = 0 at the first step.
// The paper's settings: eta in {0.01, 0.3, 1}, gamma 0.55 (the defaults here: 0.01, 0.55).
// The noise of parameter j at step t comes from a generator seeded by (seed, t, j), so a resumed
// run draws what the uninterrupted one would, with nothing saved but the chain's step.
#include <cstdint>

#include "descent/optim/transforms/transform.h"

namespace descent {

class AddNoise : public Transform {
 public:
  AddNoise(double eta, double gamma, uint64_t seed) : eta_(eta), gamma_(gamma), seed_(seed) {}
  bool apply(std::vector<TransformSlot>& slots) override;

 private:
  double eta_, gamma_;
  uint64_t seed_;
};

}  // namespace descent
