#pragma once
// Parameter groups for the common case of keeping biases and other 1-D parameters (norm scales)
// out of weight decay: decaying them only pulls the network's offsets toward zero.
#include <vector>

#include "descent/optim/optimizer.h"

namespace descent {

// One group of every parameter, or, with exclude_1d, two: parameters of rank >= 2 with the
// optimizer's weight decay, and the others with weight_decay = 0 (an empty group is left out).
std::vector<ParamGroup> weight_decay_groups(const std::vector<NamedTensor>& params,
                                            bool exclude_1d);

}  // namespace descent
