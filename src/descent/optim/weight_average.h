#pragma once
// WeightAverage: an exponential moving average of the parameters (Polyak averaging, "EMA of the
// weights"), kept beside the live ones and used for evaluation. The semantics are PyTorch's
// AveragedModel with an EMA average function: the first update() copies the parameters, each
// later one moves the average towards them, avg += (1 - decay) * (param - avg), in float.
// (PyTorch 1.13 ships no EMA helper; this is the formula its AveragedModel docs suggest, written
// as avg + (param - avg) * (1 - decay) like the lerp that later releases' get_ema_avg_fn uses for
// decay > 0.5.) Before the first update the average holds the values the parameters had at
// construction, as AveragedModel's deep copy does.
//
// swap() exchanges the averaged values and the live parameters in place: swap, evaluate, swap
// back. For checkpoints, meta() and state_tensors() (named "ema.<parameter name>") hold the whole
// state; load_state() restores it.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/tensor/named_tensor.h"

namespace descent {

class WeightAverage {
 public:
  // decay in [0, 1) (std::invalid_argument naming it otherwise). The parameters are handles: the
  // average follows whatever values they hold when update() runs.
  WeightAverage(std::vector<NamedTensor> params, double decay);

  void update();
  int64_t num_updates() const { return num_updates_; }
  double decay() const { return decay_; }

  void swap();  // averaged values <-> live parameter values, in place
  // The averages under the parameters' names. Like state_tensors(), handles to the buffers
  // themselves (as a PyTorch state_dict), not copies.
  std::vector<NamedTensor> averaged() const;

  // Checkpoint state. meta: {"decay", "num_updates"}. load_state takes num_updates from meta (the
  // decay stays the constructor's) and copies every "ema.<name>" tensor; it throws
  // std::runtime_error naming a missing key or tensor, a shape mismatch, or an unknown "ema." one.
  nlohmann::json meta() const;
  std::vector<NamedTensor> state_tensors() const;
  void load_state(const nlohmann::json& meta, const std::vector<NamedTensor>& tensors);

 private:
  std::vector<NamedTensor> params_;
  std::vector<Tensor> averages_;  // one per parameter, own storage
  double decay_;
  int64_t num_updates_ = 0;
};

}  // namespace descent
