#pragma once
// Activation layers: parameter-free modules around the activation ops. One Activation class serves
// every entry of the activation table (ops/activation.h); the named classes below are shorthands
// for building networks in code (layer SPECs need none of them). LogSoftmax is not elementwise,
// so it is its own module.
#include <initializer_list>
#include <string_view>

#include "descent/nn/module.h"
#include "descent/ops/activation.h"
#include "descent/ops/ops.h"

namespace descent {

class Activation : public Module {
 public:
  Activation(const ActivationEntry& entry, const ActivationArgs& args)
      : entry_(&entry), args_(args) {}
  // The table entry of that SPEC name, with its first arguments given (the rest take the
  // defaults); throws std::invalid_argument for an unknown name or too many arguments.
  explicit Activation(std::string_view name, std::initializer_list<float> args = {});

  Tensor forward(const Tensor& x) override { return entry_->forward(x, args_); }
  // The module name, then the described arguments: "ReLU", "ELU(alpha=1.000000)".
  std::string describe() const override;

  const ActivationEntry& entry() const { return *entry_; }
  const ActivationArgs& args() const { return args_; }

 private:
  const ActivationEntry* entry_;
  ActivationArgs args_;
};

// Shorthands: the arguments left out take the table's defaults.
class ReLU : public Activation {
 public:
  ReLU() : Activation("relu") {}
};

class Sigmoid : public Activation {
 public:
  Sigmoid() : Activation("sigmoid") {}
};

class Tanh : public Activation {
 public:
  Tanh() : Activation("tanh") {}
};

class ELU : public Activation {
 public:
  ELU() : Activation("elu") {}
  explicit ELU(float alpha) : Activation("elu", {alpha}) {}
};

class LeakyReLU : public Activation {
 public:
  LeakyReLU() : Activation("leaky_relu") {}
  explicit LeakyReLU(float negative_slope) : Activation("leaky_relu", {negative_slope}) {}
};

class Softplus : public Activation {
 public:
  Softplus() : Activation("softplus") {}
  explicit Softplus(float beta) : Activation("softplus", {beta}) {}
  Softplus(float beta, float threshold) : Activation("softplus", {beta, threshold}) {}
};

// LogSoftmax over the last dimension: log-probabilities, the input nll expects.
class LogSoftmax : public Module {
 public:
  Tensor forward(const Tensor& x) override { return log_softmax(x, -1); }
  std::string describe() const override { return "LogSoftmax"; }
};

}  // namespace descent
