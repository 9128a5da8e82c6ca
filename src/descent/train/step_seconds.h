#pragma once
// Where a run's steps spend their time, when train.profile is on: wall-clock seconds summed over
// the steps this process ran, by phase. diagnostics.json keeps them as "step_seconds", and
// bench/mlp_epoch.py prints them. The phases do not overlap; `total` is whole steps, so
// total - (the phases) is what lies between them (the loader, tallies, clipping, bookkeeping).
#include <chrono>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace descent {

struct StepSeconds {
  double total = 0;
  double zero_grad = 0;         // the parameters' gradients set to zero
  double gather = 0;            // the batch's rows into the input buffer
  double forward_backward = 0;  // the loss and its gradient, the matrix products included
  double gemm = 0;              // of which the matrix products (ops/ops.h: sgemm)
  double gradient_norm = 0;     // the global norm and the non-finite check
  // optimizer.step(), with the update ratios' sums and a weight average's update
  double optimizer = 0;
  double callbacks = 0;  // progress, logs, schedules
  int64_t steps = 0;

  nlohmann::json to_json() const;
};

// Adds the seconds from its construction to its destruction to *into; with a null `into` it
// reads no clock.
class AddSeconds {
 public:
  explicit AddSeconds(double* into)
      : into_(into), start_(into ? Clock::now() : Clock::time_point{}) {}
  ~AddSeconds() {
    if (into_) *into_ += std::chrono::duration<double>(Clock::now() - start_).count();
  }
  AddSeconds(const AddSeconds&) = delete;
  AddSeconds& operator=(const AddSeconds&) = delete;

 private:
  using Clock = std::chrono::steady_clock;
  double* into_;
  Clock::time_point start_;
};

}  // namespace descent
