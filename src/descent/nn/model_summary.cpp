#include "descent/nn/model_summary.h"

#include <algorithm>

#include "descent/autograd/grad_mode.h"
#include "descent/nn/autoencoder.h"
#include "descent/nn/sequential.h"

namespace descent {
namespace {

int64_t count(const std::vector<NamedTensor>& params, bool trainable_only) {
  int64_t n = 0;
  for (const auto& p : params)
    if (!trainable_only || p.tensor.requires_grad()) n += p.tensor.numel();
  return n;
}

// One row for `module`, applied to x; returns its output.
Tensor add_row(ModelSummary& s, Module& module, const std::string& name, const Tensor& x) {
  const Tensor y = module.forward(x);
  const Shape& shape = y.shape();
  s.layers.push_back({name, module.describe(), Shape(shape.begin() + 1, shape.end()),
                      count(module.named_parameters(""), false)});
  return y;
}

Tensor add_rows(ModelSummary& s, Sequential& net, const std::string& prefix, Tensor x) {
  for (size_t i = 0; i < net.size(); ++i) x = add_row(s, net[i], prefix + std::to_string(i), x);
  return x;
}

// "200,960"
std::string grouped(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string shape_text(const Shape& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

}  // namespace

ModelSummary summarize(Module& model, int64_t in_features) {
  NoGradGuard no_grad;
  const bool was_training = model.training();
  model.set_training(false);
  ModelSummary s;
  const Tensor x = Tensor::zeros({1, in_features});
  if (auto* net = dynamic_cast<Sequential*>(&model)) {
    add_rows(s, *net, "", x);
  } else if (auto* ae = dynamic_cast<Autoencoder*>(&model)) {
    add_rows(s, ae->decoder(), "decoder.", add_rows(s, ae->encoder(), "encoder.", x));
  } else if (auto* vae = dynamic_cast<VariationalAutoencoder*>(&model)) {
    const Tensor h = add_rows(s, vae->encoder(), "encoder.", x);
    const auto [mu, logvar] = vae->encode(x);
    const int64_t heads = count(vae->named_parameters(""), false) -
                          count(vae->encoder().named_parameters(""), false) -
                          count(vae->decoder().named_parameters(""), false);
    s.layers.push_back(
        {"mu, logvar",
         "2 x Linear(in=" + std::to_string(h.size(1)) + ", out=" + std::to_string(mu.size(1)) + ")",
         Shape{2, mu.size(1)}, heads});
    add_rows(s, vae->decoder(), "decoder.", mu);
  } else {
    add_row(s, model, "", x);
  }
  model.set_training(was_training);
  const auto params = model.named_parameters("");
  s.total = count(params, false);
  s.trainable = count(params, true);
  return s;
}

std::string ModelSummary::text() const {
  size_t name_width = 5, layer_width = 5, shape_width = 6;
  for (const auto& l : layers) {
    name_width = std::max(name_width, l.name.size());
    layer_width = std::max(layer_width, l.layer.size());
    shape_width = std::max(shape_width, shape_text(l.output).size());
  }
  auto pad = [](std::string text, size_t width) {
    text.resize(std::max(width, text.size()), ' ');
    return text;
  };
  std::string out = pad("name", name_width) + "  " + pad("layer", layer_width) + "  " +
                    pad("output", shape_width) + "  params\n";
  for (const auto& l : layers)
    out += pad(l.name, name_width) + "  " + pad(l.layer, layer_width) + "  " +
           pad(shape_text(l.output), shape_width) + "  " + grouped(l.params) + "\n";
  out += "parameters: " + grouped(total);
  if (trainable != total)
    out += " (" + grouped(trainable) + " trainable, " + grouped(total - trainable) + " frozen)";
  return out + "\n";
}

}  // namespace descent
