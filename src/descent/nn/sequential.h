#pragma once
// Sequential: a runtime list of modules applied in order. Parameters of layer i are named
// "<i>.<name>", as in PyTorch's nn.Sequential.
#include <memory>
#include <vector>

#include "descent/nn/module.h"

namespace descent {

class Sequential : public Module {
 public:
  Sequential() = default;
  void add(std::unique_ptr<Module> layer) { layers_.push_back(std::move(layer)); }

  Tensor forward(const Tensor& x) override;
  std::vector<NamedTensor> named_parameters(const std::string& prefix = "") const override;
  void set_training(bool on) override;
  std::vector<Generator*> generators() override;  // the layers' generators, in layer order
  std::string describe() const override;

  size_t size() const { return layers_.size(); }
  Module& operator[](size_t i) { return *layers_[i]; }

 private:
  std::vector<std::unique_ptr<Module>> layers_;
};

}  // namespace descent
