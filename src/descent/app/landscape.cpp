#include "descent/app/landscape.h"

#include <chrono>
#include <stdexcept>

#include "descent/autograd/grad_mode.h"
#include "descent/nn/linear.h"
#include "descent/ops/ops.h"
#include "descent/train/evaluate.h"

namespace descent {
namespace {

using Clock = std::chrono::steady_clock;

// 2 x the multiply-adds of the Linear layers from `first` on, for `n` examples.
double linear_flops(Sequential& model, size_t first, int64_t n) {
  double flops = 0;
  for (size_t l = first; l < model.size(); ++l)
    if (auto* lin = dynamic_cast<Linear*>(&model[l]))
      flops += 2.0 * static_cast<double>(n) * static_cast<double>(lin->weight.numel());
  return flops;
}

// The values of tensor `name` in a list of weights, or null.
const Tensor* find(const Weights& w, const std::string& name) {
  for (const NamedTensor& p : w)
    if (p.name == name) return &p.tensor;
  return nullptr;
}

}  // namespace

std::vector<double> evenly_spaced(double lo, double hi, int64_t count) {
  std::vector<double> out;
  for (int64_t i = 0; i < count; ++i)
    out.push_back(count == 1 ? lo : lo + (hi - lo) * static_cast<double>(i) / (count - 1));
  return out;
}

LandscapeEvaluator::LandscapeEvaluator(Sequential& model, const Dataset& data, LossFunction loss,
                                       int64_t batch_size)
    : model_(model), loss_(std::move(loss)), examples_(data.size()) {
  if (data.num_classes <= 0)
    throw std::invalid_argument("landscape: the examples must have class labels");
  if (examples_ < 1) throw std::invalid_argument("landscape: no examples to measure on");
  if (batch_size < 1) throw std::invalid_argument("landscape: batch size must be at least 1");
  for (int64_t b = 0; b < examples_; b += batch_size) {
    const int64_t e = std::min(examples_, b + batch_size);
    inputs_.push_back(data.input_rows(b, e));
    targets_.push_back(data.targets.rows(b, e));
  }
}

LandscapePoint LandscapeEvaluator::measure_from_layer(size_t first_layer,
                                                      const std::vector<Tensor>& first_inputs) {
  NoGradGuard no_grad;
  double loss_sum = 0;
  int64_t correct = 0;
  for (size_t k = 0; k < first_inputs.size(); ++k) {
    Tensor h = first_inputs[k];
    for (size_t l = first_layer; l < model_.size(); ++l) h = model_[l].forward(h);
    const int64_t n = targets_[k].size(0);
    loss_sum += static_cast<double>(loss_(h, targets_[k]).item()) * static_cast<double>(n);
    correct += count_correct(h, targets_[k]);
  }
  work_.flops += linear_flops(model_, first_layer, examples_);
  return {loss_sum / static_cast<double>(examples_),
          static_cast<double>(correct) / static_cast<double>(examples_)};
}

LandscapePoint LandscapeEvaluator::at(const Weights& weights) {
  const auto start = Clock::now();
  set_weights(model_, weights);
  const LandscapePoint p = measure_from_layer(0, inputs_);
  work_.seconds += std::chrono::duration<double>(Clock::now() - start).count();
  return p;
}

std::vector<LandscapePoint> LandscapeEvaluator::plane(const Weights& center, const Weights& d1,
                                                      const Weights& d2,
                                                      const std::vector<double>& as,
                                                      const std::vector<double>& bs) {
  const auto start = Clock::now();
  NoGradGuard no_grad;
  std::vector<LandscapePoint> out;
  auto* first = model_.size() > 0 ? dynamic_cast<Linear*>(&model_[0]) : nullptr;
  if (!first) {
    for (double b : bs)
      for (double a : as) out.push_back(at(add_scaled(add_scaled(center, a, d1), b, d2)));
    return out;
  }
  // P0, P1, P2 per batch: the first layer's output at the centre and along each direction.
  const Tensor none;
  auto part = [&](const Weights& w, const Tensor& x) {
    const Tensor* weight = find(w, "0.weight");
    const Tensor* bias = find(w, "0.bias");
    if (!weight) throw std::invalid_argument("landscape: the weights have no '0.weight'");
    return linear(x, *weight, bias ? *bias : none);
  };
  std::vector<Tensor> p0, p1, p2;
  for (const Tensor& x : inputs_) {
    p0.push_back(part(center, x));
    p1.push_back(part(d1, x));
    p2.push_back(part(d2, x));
  }
  work_.flops += 3 * linear_flops(model_, 0, examples_) - 2 * linear_flops(model_, 1, examples_);
  std::vector<Tensor> h(inputs_.size());
  for (size_t k = 0; k < h.size(); ++k) h[k] = Tensor::empty(p0[k].shape());
  for (double b : bs)
    for (double a : as) {
      set_weights(model_, add_scaled(add_scaled(center, a, d1), b, d2));
      const auto fa = static_cast<float>(a), fb = static_cast<float>(b);
      for (size_t k = 0; k < h.size(); ++k) {
        const float *x0 = p0[k].data(), *x1 = p1[k].data(), *x2 = p2[k].data();
        float* y = h[k].data();
        for (int64_t i = 0; i < h[k].numel(); ++i) y[i] = x0[i] + fa * x1[i] + fb * x2[i];
      }
      out.push_back(measure_from_layer(1, h));
    }
  work_.seconds += std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

std::vector<LandscapePoint> LandscapeEvaluator::line(const Weights& from, const Weights& to,
                                                     const std::vector<double>& ts) {
  const Weights step = add_scaled(to, -1, from);
  return plane(from, step, zeros_like(from), ts, {0.0});
}

}  // namespace descent
