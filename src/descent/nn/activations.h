#pragma once
// Activation layers: parameter-free modules around the activation ops.
#include "descent/nn/module.h"
#include "descent/ops/ops.h"

namespace descent {

class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override { return sigmoid(x); }
  std::string describe() const override { return "Sigmoid"; }
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& x) override { return tanh(x); }
  std::string describe() const override { return "Tanh"; }
};

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override { return relu(x); }
  std::string describe() const override { return "ReLU"; }
};

class ELU : public Module {
 public:
  explicit ELU(float alpha = 1.0f) : alpha_(alpha) {}
  Tensor forward(const Tensor& x) override { return elu(x, alpha_); }
  std::string describe() const override { return "ELU(alpha=" + std::to_string(alpha_) + ")"; }
  float alpha() const { return alpha_; }

 private:
  float alpha_;
};

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(float negative_slope = 0.01f) : slope_(negative_slope) {}
  Tensor forward(const Tensor& x) override { return leaky_relu(x, slope_); }
  std::string describe() const override {
    return "LeakyReLU(negative_slope=" + std::to_string(slope_) + ")";
  }
  float negative_slope() const { return slope_; }

 private:
  float slope_;
};

class Softplus : public Module {
 public:
  explicit Softplus(float beta = 1.0f, float threshold = 20.0f)
      : beta_(beta), threshold_(threshold) {}
  Tensor forward(const Tensor& x) override { return softplus(x, beta_, threshold_); }
  std::string describe() const override { return "Softplus(beta=" + std::to_string(beta_) + ")"; }
  float beta() const { return beta_; }
  float threshold() const { return threshold_; }

 private:
  float beta_, threshold_;
};

// LogSoftmax over the last dimension: log-probabilities, the input nll expects.
class LogSoftmax : public Module {
 public:
  Tensor forward(const Tensor& x) override { return log_softmax(x, -1); }
  std::string describe() const override { return "LogSoftmax"; }
};

}  // namespace descent
