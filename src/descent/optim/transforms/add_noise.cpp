#include "descent/optim/transforms/add_noise.h"

#include <cmath>

#include "descent/util/random.h"

namespace descent {
namespace {

// splitmix64's finalizer: spreads (seed, step, index) over the generator's seed space.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

bool AddNoise::apply(std::vector<TransformSlot>& slots) {
  for (TransformSlot& s : slots) {
    const double t = s.step() - 1;
    const double stddev = std::sqrt(eta_ / std::pow(1.0 + t, gamma_));
    Generator gen(mix(mix(mix(seed_) ^ static_cast<uint64_t>(t)) ^ s.index));
    for (int64_t i = 0; i < s.numel(); ++i)
      s.update[i] += static_cast<float>(stddev * gen.normal());
  }
  return true;
}

}  // namespace descent
