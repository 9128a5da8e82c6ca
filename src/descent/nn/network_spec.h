#pragma once
// Builds a network from a list of layer SPECs, the form used in configuration files:
//   linear:out=256[,bias=false][,init=POLICY,init_gain=..,...][,bias_init=POLICY,...]
//   relu | sigmoid | tanh | elu[:alpha=1] | leaky_relu[:negative_slope=0.01]
//   softplus[:beta=1,threshold=20] | log_softmax (last dimension; for the nll loss)
// A Linear layer's input size is the previous layer's output (the first one's is the data's).
#include <memory>
#include <string>
#include <vector>

#include "descent/nn/sequential.h"
#include "descent/util/random.h"

namespace descent {

std::unique_ptr<Sequential> build_network(const std::vector<std::string>& layers,
                                          int64_t in_features, Generator& gen);

}  // namespace descent
