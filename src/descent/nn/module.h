#pragma once
// Module: a layer or a network. Networks are runtime lists of modules (Sequential), never
// compile-time types. Parameter names follow PyTorch's state_dict ("0.weight", "2.bias"), so
// weights move between descent and PyTorch through safetensors unchanged.
#include <string>
#include <vector>

#include "descent/tensor/named_tensor.h"

namespace descent {

class Module {
 public:
  virtual ~Module() = default;

  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }

  // Parameters with their dotted names, in registration order.
  virtual std::vector<NamedTensor> named_parameters(const std::string& prefix = "") const {
    return {};
  }
  std::vector<Tensor> parameters() const;

  // The random streams a layer draws from during training (dropout masks), so checkpoints save
  // and restore them and a resumed run draws the same numbers. None by default.
  virtual std::vector<Generator*> generators() { return {}; }

  // Training mode matters to layers such as dropout; evaluation switches it off.
  virtual void set_training(bool on) { training_ = on; }
  bool training() const { return training_; }

  virtual std::string describe() const = 0;  // e.g. "Linear(in=784, out=256)"

 private:
  bool training_ = true;
};

}  // namespace descent
