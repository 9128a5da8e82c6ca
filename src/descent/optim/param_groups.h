#pragma once
// Parameter groups for keeping some parameters out of weight decay: biases and normalization
// scales, whose decay only pulls the network's offsets and gains toward zero.
#include <string>
#include <vector>

#include "descent/optim/optimizer.h"

namespace descent {

// One group of every parameter, or two: the others with the optimizer's weight decay, and, with
// weight_decay = 0, those of rank < 2 (with exclude_1d) and those whose name matches one of
// `exempt_patterns` (util/glob.h: "*.bias"). Groups carry the names. An empty group is left out.
// Throws
// std::invalid_argument for a pattern that matches no parameter, listing their names.
std::vector<ParamGroup> weight_decay_groups(const std::vector<NamedTensor>& params, bool exclude_1d,
                                            const std::vector<std::string>& exempt_patterns = {});

}  // namespace descent
