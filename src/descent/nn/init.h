#pragma once
// Weight-initialization policies, by name, with PyTorch's formulas (torch.nn.init). For a weight of
// shape [out, in]: fan_in = in, fan_out = out.
//   zeros, constant(value)
//   uniform(low, high)                 U(low, high); defaults U(0, 1)
//   normal(mean, std)                  N(mean, std^2); defaults N(0, 1)
//   xavier_uniform(gain)               U(-b, b),  b = gain sqrt(6 / (fan_in + fan_out))
//   xavier_normal(gain)                N(0, s^2), s = gain sqrt(2 / (fan_in + fan_out))
//   kaiming_uniform(a, mode, nonlinearity)  U(-b, b), b = gain(nonlinearity, a) sqrt(3 / fan_mode)
//   kaiming_normal(a, mode, nonlinearity)   N(0, s^2), s = gain(nonlinearity, a) / sqrt(fan_mode)
//   lecun_uniform                      U(-b, b),  b = sqrt(3 / fan_in)
//   lecun_normal                       N(0, s^2), s = 1 / sqrt(fan_in)
//   orthogonal(gain)                   gain Q, Q from the QR decomposition of an N(0, 1) matrix
//   default                            PyTorch's nn.Linear: kaiming_uniform(a = sqrt(5)), i.e.
//                                      U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the bias takes the same
//                                      bound.
// gain(nonlinearity, a): linear, sigmoid 1; tanh 5/3; relu sqrt(2); leaky_relu sqrt(2 / (1 + a^2));
// selu 3/4.
#include <string>

#include "descent/tensor/tensor.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"

namespace descent {

struct InitSpec {
  std::string policy = "default";
  double value = 0.0;                       // constant
  double low = 0.0, high = 1.0;             // uniform
  double mean = 0.0, std = 1.0;             // normal
  double gain = 1.0;                        // xavier_*, orthogonal
  double a = 0.0;                           // kaiming_*: the negative slope of leaky_relu
  std::string mode = "fan_in";              // kaiming_*: fan_in or fan_out
  std::string nonlinearity = "leaky_relu";  // kaiming_*
};

// Reads a policy and its arguments from a SPEC's args with the given key prefix
// ("init" reads init, init_gain, init_mode, ...). Throws SpecError on a bad name.
InitSpec read_init_spec(SpecArgs& args, const std::string& key);

double calculate_gain(const std::string& nonlinearity, double param);

// Fills a weight of shape [out, in] (or [n] treated as [n, 1]).
void init_weight(Tensor& weight, const InitSpec& spec, Generator& gen);
// Fills a bias; "default" is PyTorch's U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
void init_bias(Tensor& bias, int64_t fan_in, const InitSpec& spec, Generator& gen);

const std::vector<std::string>& init_policy_names();

}  // namespace descent
