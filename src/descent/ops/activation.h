#pragma once
// The activation table: one entry per elementwise activation, defined once in
// ops/activation_table.cpp, and read by everything that needs to know an activation:
//   - the differentiable op (forward loop and gradient rule, in float; `forward`),
//   - the Activation module (nn/activations.h) and its describe(),
//   - the layer SPEC parser (nn/network_spec.cpp): the name and the arguments with defaults,
//   - the exact Hessian-vector product (nn/hessian_vector.cpp): f, f' and f'' in double.
// Adding an activation is one struct and one table line in ops/activation_table.cpp.
#include <array>
#include <initializer_list>
#include <span>
#include <string_view>

#include "descent/tensor/tensor.h"

namespace descent {

// One SPEC argument of an activation, e.g. leaky_relu's negative_slope.
struct ActivationParam {
  const char* name;
  double fallback;  // the default, as the SPEC parser reads it (PyTorch's)
  bool described;   // shown in the module's describe()
};

constexpr size_t kMaxActivationParams = 2;
// An activation's argument values, in its params' order (unused slots are 0).
using ActivationArgs = std::array<float, kMaxActivationParams>;

struct ActivationEntry {
  const char* name;         // the SPEC name and the op's name on the tape: "leaky_relu"
  const char* module_name;  // what the module's describe() says: "LeakyReLU"
  std::span<const ActivationParam> params;

  // The differentiable op y = f(x), elementwise in float.
  Tensor (*forward)(const Tensor& x, const ActivationArgs& args);
  // The same formulas in double: f(x); f'(x) given y = f(x); f''(x) given y and dy = f'(x).
  // At a kink they take the op's branch (relu'(0) = 0).
  double (*f)(double x, const ActivationArgs& args);
  double (*df)(double x, double y, const ActivationArgs& args);
  double (*d2f)(double x, double y, double dy, const ActivationArgs& args);
};

// Every activation, in the order the SPEC parser lists them.
std::span<const ActivationEntry> activation_table();

// The entry with this SPEC name, or nullptr.
const ActivationEntry* find_activation(std::string_view name);

// The entry's arguments: `leading` gives the first ones in order, the rest take their defaults.
// Throws std::invalid_argument when given more than the entry takes.
ActivationArgs activation_args(const ActivationEntry& entry, std::initializer_list<float> leading);

}  // namespace descent
