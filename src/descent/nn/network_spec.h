#pragma once
// Builds a network from a list of layer SPECs, the form used in configuration files:
//   linear:out=256[,bias=false][,init=POLICY,init_gain=..,...][,bias_init=POLICY,...]
//   an activation of the table in ops/activation_table.cpp, by name with its optional arguments:
//     relu | sigmoid | tanh | elu[:alpha=1] | leaky_relu[:negative_slope=0.01]
//     softplus[:beta=1,threshold=20]
//   log_softmax (last dimension; for the nll loss)
//   dropout[:p=0.5] (active in training mode only)
// A Linear layer's input size is the previous layer's output (the first one's is the data's).
//
// gen draws the initial weights. Dropout layers own their own generators, seeded from noise_seed:
// the k-th dropout layer (k = 0, 1, ... counting dropout layers only) gets
// Generator(noise_seed + 1000003 * (k + 1)), which Generator's splitmix64 seeding spreads into
// unrelated streams. So the masks do not depend on how many weights were drawn, and adding or
// removing other (non-dropout) layers leaves every dropout stream unchanged.
#include <memory>
#include <string>
#include <vector>

#include "descent/nn/sequential.h"
#include "descent/util/random.h"

namespace descent {

// One layer of a SPEC list: `features` is its input size on entry and its output size on return;
// noise_seed and dropout_count say where a dropout layer takes its seed from (the count of
// dropout layers before it, advanced when this is one).
std::unique_ptr<Module> build_layer(const std::string& spec, int64_t& features, Generator& gen,
                                    uint64_t noise_seed, uint64_t& dropout_count);

// The layers with the last linear layer's `out` set to `out` when it leaves it out (a layer list
// sized by what it is used for: a classifier's classes, an autoencoder's code). `what` names the
// list and `why` the size, for the SpecError when a given `out` disagrees or there is no linear
// layer.
std::vector<std::string> with_last_out(std::vector<std::string> layers, int64_t out,
                                       const std::string& what, const std::string& why);

std::unique_ptr<Sequential> build_network(const std::vector<std::string>& layers,
                                          int64_t in_features, Generator& gen,
                                          uint64_t noise_seed = 0);

}  // namespace descent
