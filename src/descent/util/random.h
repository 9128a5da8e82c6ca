#pragma once
// A seeded, portable random generator (xoshiro256**, seeded through splitmix64). Its whole state
// is four words, so checkpoints save it and a resumed run draws the same numbers.
#include <array>
#include <cstdint>
#include <vector>

namespace descent {

// What a checkpoint saves of a Generator: the 4 xoshiro words plus the cached normal (its bits;
// all ones when there is none).
using GeneratorState = std::array<uint64_t, 5>;

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed);

  uint64_t next_u64();
  double uniform();                       // [0, 1), 53 random bits
  double normal();                        // standard normal (Box-Muller, both values used)
  uint64_t below(uint64_t n);             // uniform integer in [0, n), unbiased
  void shuffle(std::vector<int64_t>& v);  // Fisher-Yates

  GeneratorState state() const;
  void set_state(const GeneratorState& s);

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0;
};

}  // namespace descent
