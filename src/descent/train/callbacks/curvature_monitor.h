#pragma once
// CurvatureMonitor: runs the ill-conditioning probe (train/curvature.h) every N optimizer steps,
// on the step's last minibatch with the step's learning rate, before the weights move. Each probe
// is a line of <run>/curvature.jsonl:
//   {"epoch", "step", "lr", "grad_sq", "g_hess_g", "first_order", "second_order",
//    "ill_conditioned"}
// and each epoch's metrics get "curvature": {"probes", "ill_conditioned" (how many flagged),
// "max_ratio" (largest second_order / first_order)}.
#include <filesystem>
#include <fstream>
#include <string>

#include "descent/train/callback.h"
#include "descent/train/curvature.h"

namespace descent {

class CurvatureMonitor : public Callback {
 public:
  CurvatureMonitor(Sequential& model, std::string loss_name, int64_t num_classes, int64_t every,
                   HessianMethod method, const std::filesystem::path& log_path);

  void on_train_begin(TrainState& state) override;
  void on_epoch_begin(TrainState& state) override;
  void on_gradients(TrainState& state, const Batch& batch) override;
  void on_epoch_end(TrainState& state, EpochMetrics& m) override;
  // Also drops log lines past the checkpoint's step, written after it by a run that then died.
  void save_state(Checkpoint& checkpoint) const override;
  void load_state(const Checkpoint& checkpoint) override;

 private:
  Sequential& model_;
  std::string loss_name_;
  int64_t num_classes_, every_;
  HessianMethod method_;
  std::filesystem::path log_path_;
  std::ofstream log_;
  int64_t probes_ = 0, flagged_ = 0;
  double max_ratio_ = 0;
  int64_t cut_after_step_ = -1;  // after load_state: the log keeps the probes up to this step
};

}  // namespace descent
