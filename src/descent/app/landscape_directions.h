#pragma once
// Directions in weight space for drawing a loss landscape (Li et al. 2018, "Visualizing the Loss
// Landscape of Neural Nets"): a network's weights as a list of named tensors, the arithmetic on
// such lists, and filter-normalized random directions.
//
// Filter normalization: a Gaussian direction d is rescaled row by row, each output neuron's row
// d_i (of a weight [out, in]) to the norm of that neuron's weight row: d_i <- d_i ||w_i|| /
// ||d_i||. The plane w + a d1 + b d2 then moves every neuron by the same relative amount, so that
// planes of networks whose weights differ in scale (ReLU networks are invariant to a neuron's
// scale) can be compared. Biases and other 1-D parameters get a zero direction unless included;
// then the whole vector is one "row".
#include <cstdint>
#include <vector>

#include "descent/nn/module.h"
#include "descent/tensor/named_tensor.h"
#include "descent/util/random.h"

namespace descent {

using Weights = std::vector<NamedTensor>;  // in the module's named_parameters order

// A copy of the module's parameters (values only, no graph).
Weights copy_weights(const Module& model);

// Copies `weights` into the module's parameters (names and shapes must match).
void set_weights(const Module& model, const Weights& weights);

// a + s b, element by element; the lists must match in names and shapes.
Weights add_scaled(const Weights& a, double s, const Weights& b);

// The same names and shapes as `like`, all zero.
Weights zeros_like(const Weights& like);

// All values in one vector, in order, and back.
std::vector<float> flatten(const Weights& weights);
Weights unflatten(const std::vector<float>& values, const Weights& like);

// A Gaussian direction (from `gen`, tensor by tensor in order) normalized filter by filter to
// `weights`; a zero row of `weights` gives a zero row. 1-D tensors: zero unless include_biases.
Weights filter_normalized_direction(const Weights& weights, Generator& gen, bool include_biases);

}  // namespace descent
