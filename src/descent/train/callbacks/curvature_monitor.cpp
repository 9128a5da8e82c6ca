#include "descent/train/callbacks/curvature_monitor.h"

#include <sstream>

#include "descent/io/atomic_file.h"
#include "descent/io/json_input.h"
#include "descent/train/checkpoint_fields.h"

namespace descent {

CurvatureMonitor::CurvatureMonitor(Sequential& model, std::string loss_name, int64_t num_classes,
                                   int64_t every, HessianMethod method,
                                   const std::filesystem::path& log_path)
    : model_(model),
      loss_name_(std::move(loss_name)),
      num_classes_(num_classes),
      every_(every),
      method_(method),
      log_path_(log_path),
      log_(log_path, std::ios::app) {
  if (every <= 0) throw std::invalid_argument("curvature monitor: every must be > 0");
  if (!log_) throw std::runtime_error("cannot open " + log_path.string() + " for writing");
}

void CurvatureMonitor::on_epoch_begin(TrainState& state) {
  if (state.batch > 0) return;  // resumed mid-epoch: the counters came from the checkpoint
  probes_ = flagged_ = 0;
  max_ratio_ = 0;
}

void CurvatureMonitor::on_gradients(TrainState& state, const Batch& batch) {
  // state.step counts finished steps; probe steps every_, 2 every_, ... (1-based).
  if ((state.step + 1) % every_ != 0) return;
  const CurvatureProbe p = probe_curvature(model_, loss_name_, num_classes_, batch.inputs,
                                           batch.targets, state.lr, method_);
  probes_++;
  flagged_ += p.ill_conditioned ? 1 : 0;
  if (p.first_order > 0) max_ratio_ = std::max(max_ratio_, p.second_order / p.first_order);
  const nlohmann::json line = {{"epoch", state.epoch},
                               {"step", state.step + 1},
                               {"lr", p.lr},
                               {"grad_sq", p.grad_sq},
                               {"g_hess_g", p.g_hess_g},
                               {"first_order", p.first_order},
                               {"second_order", p.second_order},
                               {"ill_conditioned", p.ill_conditioned}};
  log_ << line.dump() << "\n";
  log_.flush();
  if (!log_) throw std::runtime_error("cannot write to " + log_path_.string());
}

void CurvatureMonitor::on_epoch_end(TrainState&, EpochMetrics& m) {
  m.extra["curvature"] = {
      {"probes", probes_}, {"ill_conditioned", flagged_}, {"max_ratio", max_ratio_}};
}

void CurvatureMonitor::save_state(Checkpoint& checkpoint) const {
  checkpoint.meta["curvature"] = {
      {"probes", probes_}, {"flagged", flagged_}, {"max_ratio", max_ratio_}};
}

void CurvatureMonitor::load_state(const Checkpoint& checkpoint) {
  const CheckpointFields f(checkpoint);
  if (!f.has("curvature"))
    f.refuse("curvature", "the curvature monitor's state, as [curvature] is on");
  f.object("curvature");
  probes_ = f.integer("curvature.probes", 0, INT64_MAX);
  flagged_ = f.integer("curvature.flagged", 0, probes_, "curvature.probes");
  max_ratio_ = f.number("curvature.max_ratio");
  cut_after_step_ = f.integer("loop.step", 0, INT64_MAX);
}

void CurvatureMonitor::on_train_begin(TrainState&) {
  if (cut_after_step_ < 0) return;
  std::istringstream in(read_file(log_path_));
  std::string kept, line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const nlohmann::json probe =
        parse_json(line, log_path_.string(), "line " + std::to_string(number));
    if (!probe.is_object() || !probe.contains("step") || !probe.at("step").is_number_integer())
      throw std::runtime_error(log_path_.string() + ": line " + std::to_string(number) +
                               " has no integer step");
    if (probe.at("step").get<int64_t>() <= cut_after_step_) kept += line + "\n";
  }
  log_.close();
  write_file_atomically(log_path_, kept);
  log_.open(log_path_, std::ios::app);
  cut_after_step_ = -1;
}

}  // namespace descent
