#include "descent/nn/sequential.h"

namespace descent {

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (auto& layer : layers_) h = layer->forward(h);
  return h;
}

std::vector<NamedTensor> Sequential::named_parameters(const std::string& prefix) const {
  std::vector<NamedTensor> out;
  for (size_t i = 0; i < layers_.size(); ++i)
    for (auto& p : layers_[i]->named_parameters(prefix + std::to_string(i) + "."))
      out.push_back(std::move(p));
  return out;
}

void Sequential::set_training(bool on) {
  Module::set_training(on);
  for (auto& layer : layers_) layer->set_training(on);
}

std::vector<Generator*> Sequential::generators() {
  std::vector<Generator*> out;
  for (auto& layer : layers_)
    for (Generator* g : layer->generators()) out.push_back(g);
  return out;
}

std::string Sequential::describe() const {
  std::string s = "Sequential(";
  for (size_t i = 0; i < layers_.size(); ++i) s += (i ? ", " : "") + layers_[i]->describe();
  return s + ")";
}

}  // namespace descent
