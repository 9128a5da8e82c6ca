#include "descent/train/step_seconds.h"

namespace descent {

nlohmann::json StepSeconds::to_json() const {
  return {{"steps", steps},
          {"total", total},
          {"zero_grad", zero_grad},
          {"gather", gather},
          {"forward_backward", forward_backward},
          {"gemm", gemm},
          {"gradient_norm", gradient_norm},
          {"optimizer", optimizer},
          {"callbacks", callbacks}};
}

}  // namespace descent
