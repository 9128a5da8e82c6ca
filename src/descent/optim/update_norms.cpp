#include "descent/optim/update_norms.h"

namespace descent {

UpdateNorms UpdateNormLanes::total() const {
  UpdateNorms norms;
  for (int k = 0; k < kSumLanes; ++k) {
    norms.before += before_[k];
    norms.change += change_[k];
  }
  return norms;
}

}  // namespace descent
