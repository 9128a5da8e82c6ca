// The regression losses, mse, l1, smooth_l1 and huber: each element costs phi(d), d = prediction -
// target, and the costs are averaged or summed. Fused ops: one pass forward, one backward.
#include <cmath>
#include <functional>
#include <stdexcept>

#include "descent/autograd/record.h"
#include "descent/nn/loss.h"
#include "descent/nn/losses/common.h"

namespace descent {
namespace {

using losses::divisor;
using losses::require_same_shape;

// sum(phi(y - t)) / divisor as one op; phi and its derivative in double.
Tensor elementwise_loss_op(const Tensor& y, const Tensor& t, Reduction reduction, const char* op,
                           const std::function<double(double)>& phi,
                           const std::function<double(double)>& dphi) {
  require_same_shape(y, t, op);
  const int64_t n = y.numel();
  const double div = divisor(reduction, n, op);
  double acc = 0;
  for (int64_t i = 0; i < n; ++i) acc += phi(static_cast<double>(y.data()[i]) - t.data()[i]);
  Tensor loss = Tensor::full({}, static_cast<float>(acc / div));
  record(loss, op, {y, t}, [y, t, n, div, dphi](const float* g) {
    const double scale = static_cast<double>(g[0]) / div;
    float* gy = input_grad(y);
    float* gt = input_grad(t);
    for (int64_t i = 0; i < n; ++i) {
      const float d =
          static_cast<float>(scale * dphi(static_cast<double>(y.data()[i]) - t.data()[i]));
      if (gy) gy[i] += d;
      if (gt) gt[i] -= d;
    }
  });
  return loss;
}

double sign_of(double d) { return static_cast<double>((d > 0) - (d < 0)); }  // torch.sign: 0 at 0

double smooth_l1(double d, double beta) {
  return std::fabs(d) < beta ? 0.5 * d * d / beta : std::fabs(d) - 0.5 * beta;
}
double smooth_l1_grad(double d, double beta) { return std::fabs(d) < beta ? d / beta : sign_of(d); }
double huber(double d, double delta) {
  return std::fabs(d) <= delta ? 0.5 * d * d : delta * (std::fabs(d) - 0.5 * delta);
}
double huber_grad(double d, double delta) { return std::fabs(d) <= delta ? d : delta * sign_of(d); }

const ElementwiseLoss kElementwiseLosses[] = {
    {"l1", [](double d) { return std::fabs(d); }, sign_of, [](double) { return 0.0; }},
    {"smooth_l1", [](double d) { return smooth_l1(d, 1.0); },
     [](double d) { return smooth_l1_grad(d, 1.0); },
     [](double d) { return std::fabs(d) < 1.0 ? 1.0 : 0.0; }},
    {"huber", [](double d) { return huber(d, 1.0); }, [](double d) { return huber_grad(d, 1.0); },
     [](double d) { return std::fabs(d) <= 1.0 ? 1.0 : 0.0; }},
};

}  // namespace

Tensor MSELoss::operator()(const Tensor& y, const Tensor& t) const {
  require_same_shape(y, t, "mse_loss");
  const int64_t n = y.numel();
  const double div = divisor(reduction, n, "mse_loss");
  double acc = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(y.data()[i]) - t.data()[i];
    acc += d * d;
  }
  Tensor loss = Tensor::full({}, static_cast<float>(acc / div));
  record(loss, "mse_loss", {y, t}, [y, t, n, div](const float* g) {
    const float scale = 2.0f * g[0] / static_cast<float>(div);  // float, as always: same bits
    float* gy = input_grad(y);
    float* gt = input_grad(t);
    for (int64_t i = 0; i < n; ++i) {
      const float d = scale * (y.data()[i] - t.data()[i]);
      if (gy) gy[i] += d;
      if (gt) gt[i] -= d;
    }
  });
  return loss;
}

Tensor L1Loss::operator()(const Tensor& y, const Tensor& t) const {
  return elementwise_loss_op(
      y, t, reduction, "l1_loss", [](double d) { return std::fabs(d); }, sign_of);
}

Tensor SmoothL1Loss::operator()(const Tensor& y, const Tensor& t) const {
  if (!(beta > 0)) throw std::invalid_argument("smooth_l1_loss: beta must be > 0");
  const double b = beta;
  return elementwise_loss_op(
      y, t, reduction, "smooth_l1_loss", [b](double d) { return smooth_l1(d, b); },
      [b](double d) { return smooth_l1_grad(d, b); });
}

Tensor HuberLoss::operator()(const Tensor& y, const Tensor& t) const {
  if (!(delta > 0)) throw std::invalid_argument("huber_loss: delta must be > 0");
  const double dl = delta;
  return elementwise_loss_op(
      y, t, reduction, "huber_loss", [dl](double d) { return huber(d, dl); },
      [dl](double d) { return huber_grad(d, dl); });
}

Tensor mse_loss(const Tensor& y, const Tensor& t) { return MSELoss{}(y, t); }
Tensor l1_loss(const Tensor& y, const Tensor& t) { return L1Loss{}(y, t); }
Tensor smooth_l1_loss(const Tensor& y, const Tensor& t, double beta) {
  return SmoothL1Loss{.beta = beta}(y, t);
}
Tensor huber_loss(const Tensor& y, const Tensor& t, double delta) {
  return HuberLoss{.delta = delta}(y, t);
}

const ElementwiseLoss* elementwise_loss(const std::string& name) {
  for (const ElementwiseLoss& l : kElementwiseLosses)
    if (name == l.name) return &l;
  return nullptr;
}

}  // namespace descent
