// The estimated g'g and g'Hg (nn/hessian_difference.h): a central difference of tape gradients.
#include "descent/nn/hessian_difference.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>
#include <vector>

#include "descent/autograd/grad_mode.h"

namespace descent {
namespace {

// The model's distinct parameters (a tensor listed twice, as tied weights would be, counts once).
std::vector<Tensor> distinct_parameters(const Module& model) {
  std::vector<Tensor> out;
  std::unordered_set<const TensorImpl*> seen;
  for (const Tensor& p : model.parameters())
    if (seen.insert(p.impl()).second) out.push_back(p);
  return out;
}

// Copies of the parameters' values and gradients, written back into the same buffers on
// destruction. Values are restored from the copies, never by undoing a perturbation, so the
// weights come back bit for bit.
class ParameterSnapshot {
 public:
  explicit ParameterSnapshot(const std::vector<Tensor>& params) {
    for (const Tensor& p : params)
      saved_.push_back({p, p.to_vector(), p.has_grad(),
                        p.has_grad() ? p.grad().to_vector() : std::vector<float>{}});
  }
  ~ParameterSnapshot() {
    for (Saved& s : saved_) {
      std::copy(s.values.begin(), s.values.end(), s.param.data());
      if (s.had_grad)
        std::copy(s.grad.begin(), s.grad.end(), s.param.grad_data());  // the original buffer
      else
        s.param.clear_grad();
    }
  }
  ParameterSnapshot(const ParameterSnapshot&) = delete;
  ParameterSnapshot& operator=(const ParameterSnapshot&) = delete;

  const std::vector<float>& values(size_t i) const { return saved_[i].values; }

 private:
  struct Saved {
    Tensor param;
    std::vector<float> values;
    bool had_grad;
    std::vector<float> grad;
  };
  std::vector<Saved> saved_;
};

// Difference: Hg ~ (grad L(w + r g) - grad L(w - r g)) / (2 r).
//
// The step along g has length h = r ||g|| = 1e-3 max(1, rms(w)). In float32 the central
// difference trades truncation error, O(h^2), against the rounding of the two float gradients,
// whose difference loses accuracy as 1/h. Against the exact method, h = 1e-3 came out best or near
// it on every network tried (tanh/ELU/sigmoid, 3-5-2 up to 784-256-128-10: relative error
// 1e-7..4e-5; 1e-2 reached 1.6e-2 and 1e-5 reached 2.5e-3). Large weights scale h up so that each
// weight's step, h g_i / ||g||, stays well above the weights' own float rounding.
//
// With ReLU-like activations the loss is only piecewise smooth: gradients jump where a
// pre-activation changes sign, and every jump inside w +- r g enters the difference. Their number
// grows in proportion to r, so their share of the estimate does not shrink with r until r is small
// enough that no kink lies within it; the exact method counts no kinks (see docs/curvature.md).
constexpr double kDifferenceStep = 1e-3;

}  // namespace

GradientCurvature difference_gradient_curvature(Module& model, const LossFunction& loss,
                                                const Tensor& x, const Tensor& target) {
  const std::vector<Tensor> params = distinct_parameters(model);
  ParameterSnapshot snapshot(params);
  EnableGradGuard grad_on;

  // The flat gradient of the mean loss at the parameters' current values.
  auto gradient = [&]() {
    for (const Tensor& p : params)
      if (p.has_grad()) const_cast<Tensor&>(p).zero_grad();
    Tensor l = loss(model(x), target);
    if (l.requires_grad()) l.backward();
    std::vector<float> g;
    for (const Tensor& p : params) {
      if (p.has_grad()) {
        const std::vector<float> pg = p.grad().to_vector();
        g.insert(g.end(), pg.begin(), pg.end());
      } else {
        g.insert(g.end(), static_cast<size_t>(p.numel()), 0.0f);
      }
    }
    return g;
  };
  const std::vector<float> g = gradient();

  double grad_sq = 0, weight_sq = 0;
  for (float v : g) grad_sq += static_cast<double>(v) * v;
  for (size_t i = 0; i < params.size(); ++i)
    for (float v : snapshot.values(i)) weight_sq += static_cast<double>(v) * v;
  if (grad_sq == 0) return {0, 0};
  const double rms = g.empty() ? 0 : std::sqrt(weight_sq / static_cast<double>(g.size()));
  const double r = kDifferenceStep * std::max(1.0, rms) / std::sqrt(grad_sq);

  auto gradient_at = [&](double sign) {
    size_t k = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      float* w = const_cast<Tensor&>(params[i]).data();
      const std::vector<float>& w0 = snapshot.values(i);
      for (size_t j = 0; j < w0.size(); ++j, ++k)
        w[j] = static_cast<float>(w0[j] + sign * r * g[k]);
    }
    return gradient();
  };
  const std::vector<float> g_plus = gradient_at(+1);
  const std::vector<float> g_minus = gradient_at(-1);
  double g_hess_g = 0;
  for (size_t k = 0; k < g.size(); ++k)
    g_hess_g += static_cast<double>(g[k]) *
                (static_cast<double>(g_plus[k]) - static_cast<double>(g_minus[k]));
  return {grad_sq, g_hess_g / (2 * r)};
}

}  // namespace descent
