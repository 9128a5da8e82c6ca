#include "descent/functions/optimizer_path.h"

#include <cmath>

#include "descent/optim/clip_grad.h"
#include "descent/optim/registry.h"

namespace descent {

OptimizerPath optimizer_path(const TestFunction& fn, const std::string& optimizer, double x0,
                             double y0, const PathOptions& options, Generator& rng) {
  Tensor p = Tensor::from({2}, {static_cast<float>(x0), static_cast<float>(y0)});
  p.requires_grad_();
  auto opt = make_optimizer(optimizer, {p});
  // The gradient the step sees: the exact one, then noise, then clipping. The norm recorded is
  // the exact gradient's.
  double exact_norm = 0;
  const Closure closure = [&] {
    opt->zero_grad();
    Tensor loss = fn.at(p);
    loss.backward();
    float* g = p.grad_data();
    exact_norm = std::hypot(double(g[0]), double(g[1]));
    if (options.gradient_noise > 0)
      for (int i = 0; i < 2; ++i) g[i] += static_cast<float>(options.gradient_noise * rng.normal());
    if (options.clip_norm > 0) clip_grad_norm({p}, options.clip_norm);
    return loss.item();
  };
  OptimizerPath path;
  auto record = [&](double loss) {
    path.x.push_back(p.data()[0]);
    path.y.push_back(p.data()[1]);
    path.loss.push_back(loss);
    path.grad_norm.push_back(exact_norm);
    path.lr.push_back(opt->param_groups()[0].get("lr"));
  };
  record(closure());
  for (int64_t s = 1; s <= options.steps; ++s) {
    opt->step(closure);
    const double loss = closure();
    if (!std::isfinite(loss) || !std::isfinite(p.data()[0]) || !std::isfinite(p.data()[1])) {
      path.diverged = true;
      break;
    }
    record(loss);
    if (options.stop_distance > 0 &&
        std::hypot(p.data()[0] - x0, p.data()[1] - y0) > options.stop_distance)
      break;
  }
  return path;
}

}  // namespace descent
