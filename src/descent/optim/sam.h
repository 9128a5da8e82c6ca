#pragma once
// SAM, sharpness-aware minimization (Foret, Kleiner, Mobahi & Neyshabur 2021), and ASAM, its
// adaptive form (Kwon et al. 2021), as the widely used davda54/sam code: a wrapper that takes the
// base optimizer's step with the gradient at the worst nearby point instead of at p.
//   g = the gradient at p (already in the parameters' gradients when step() is called)
//   e = rho g / ||g||                      (SAM; the norm over all parameters)
//   e = rho p^2 g / ||p g||                (adaptive = true, ASAM: the neighbourhood scales with
//                                            each weight, which makes it scale-invariant)
//   p <- p + e;  g <- closure()            (the gradient at the perturbed point)
//   p <- p - e;  base step with g
// Defaults: rho 0.05, adaptive false, base sgd (with the base's own defaults; ASAM's paper uses
// rho 0.5 to 2). SPEC: "sam:base=sgd,rho=0.05,lr=0.1,momentum=0.9": keys other than base, rho and
// adaptive go to the base. Each step costs two gradients. step() needs the closure (the trainer
// passes one that re-evaluates the same batch) and returns its loss, the loss at the perturbed
// point. The base's state lives in this optimizer's state (optim/wrapper.h).
#include <memory>
#include <string>

#include "descent/optim/wrapper.h"

namespace descent {

class Sam : public WrapperOptimizer {
 public:
  static constexpr const char* kDefaultBase = "sgd";  // without base=
  static std::vector<HyperparamDef> hyperparams();    // rho and adaptive (the base adds its own)
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Sam(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams(),
      const std::string& base = "sgd");

  // From SPEC arguments: base, rho, adaptive, and the base's hyper-parameters.
  static std::unique_ptr<Optimizer> from_args(std::vector<ParamGroup> groups, SpecArgs& args);

  std::optional<float> step(const Closure& closure = nullptr) override;
  bool needs_closure() const override { return true; }
  bool steps_per_parameter() const override { return false; }

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;

 private:
  // The parameters before the perturbation, restored exactly (p + e - e need not round back to
  // p); kept across steps so a step allocates nothing.
  std::vector<std::vector<float>> saved_;
};

}  // namespace descent
