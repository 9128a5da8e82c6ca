// The ill-conditioning probe: g'g and g'Hg from nn/hessian_vector.h or nn/hessian_difference.h,
// turned into the two Taylor terms, with the model in evaluation mode for the measurement.
#include "descent/train/curvature.h"

#include <stdexcept>
#include <vector>

#include "descent/nn/hessian_difference.h"
#include "descent/nn/hessian_vector.h"
#include "descent/nn/loss.h"

namespace descent {
namespace {

// The training flags of a module tree (through nested Sequentials), restored on destruction:
// parents first, since a Sequential's set_training overwrites its children's flags.
class TrainingFlagsGuard {
 public:
  explicit TrainingFlagsGuard(Module& root) : root_(root) { save(root); }
  ~TrainingFlagsGuard() {
    size_t next = 0;
    restore(root_, next);
  }
  TrainingFlagsGuard(const TrainingFlagsGuard&) = delete;
  TrainingFlagsGuard& operator=(const TrainingFlagsGuard&) = delete;

 private:
  void save(Module& m) {
    flags_.push_back(m.training());
    if (auto* seq = dynamic_cast<Sequential*>(&m))
      for (size_t i = 0; i < seq->size(); ++i) save((*seq)[i]);
  }
  void restore(Module& m, size_t& next) {
    m.set_training(flags_[next++]);
    if (auto* seq = dynamic_cast<Sequential*>(&m))
      for (size_t i = 0; i < seq->size(); ++i) restore((*seq)[i], next);
  }

  Module& root_;
  std::vector<bool> flags_;
};

// The target the loss compares with: class indices become one-hot rows for the losses that take
// a target per output (as the trainer's task_loss does).
Tensor loss_target(const std::string& loss_name, int64_t num_classes, const Tensor& targets) {
  if (num_classes > 0 && !loss_is_classification(loss_name)) return one_hot(targets, num_classes);
  return targets;
}

CurvatureProbe make_probe(double lr, double grad_sq, double g_hess_g) {
  CurvatureProbe p;
  p.lr = lr;
  p.grad_sq = grad_sq;
  p.g_hess_g = g_hess_g;
  p.first_order = lr * grad_sq;
  p.second_order = 0.5 * lr * lr * g_hess_g;
  p.ill_conditioned = p.second_order > p.first_order;
  return p;
}

}  // namespace

HessianMethod parse_hessian_method(const std::string& name) {
  if (name == "difference") return HessianMethod::Difference;
  if (name == "exact") return HessianMethod::Exact;
  throw std::invalid_argument("unknown Hessian method '" + name + "' (valid: difference, exact)");
}

std::string to_string(HessianMethod method) {
  return method == HessianMethod::Exact ? "exact" : "difference";
}

CurvatureProbe probe_curvature(Sequential& model, const std::string& loss_name, int64_t num_classes,
                               const Tensor& inputs, const Tensor& targets, double lr,
                               HessianMethod method) {
  const LossFunction loss = loss_by_name(loss_name);
  const Tensor target = loss_target(loss_name, num_classes, targets);
  TrainingFlagsGuard flags(model);
  model.set_training(false);
  const GradientCurvature c = method == HessianMethod::Difference
                                  ? difference_gradient_curvature(model, loss, inputs, target)
                                  : exact_gradient_curvature(model, loss_name, inputs, target);
  return make_probe(lr, c.grad_sq, c.g_hess_g);
}

}  // namespace descent
