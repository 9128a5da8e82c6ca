// make_scheduler from the input as a SPEC string ("cosine:t_max=95",
// "sequential:schedulers=[...],milestones=[5]"), on an SGD with momentum. A schedule it builds
// must step, report its horizon, and load its own state into a second copy of itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>

#include "clean_error.h"
#include "descent/optim/registry.h"
#include "descent/schedule/factory.h"

namespace {

std::unique_ptr<descent::Optimizer> sgd(descent::Tensor& w) {
  return descent::make_optimizer("sgd:lr=0.1,momentum=0.9", {w});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string spec(reinterpret_cast<const char*>(data), size);
  descent::Tensor w = descent::Tensor::zeros({2}).requires_grad_();
  descent::Tensor w2 = descent::Tensor::zeros({2}).requires_grad_();
  try {
    auto opt = sgd(w);
    auto schedule = descent::make_scheduler(spec, *opt);
    schedule->horizon();
    try {
      for (int i = 0; i < 6; ++i) schedule->step(1.0 / (i + 1));
    } catch (const std::out_of_range& e) {
      // onecycle refuses a step past total_steps, as PyTorch does; nothing else may.
      if (std::string(e.what()).rfind("schedule 'onecycle': tried to step", 0) != 0)
        descent::fuzz::expect_clean_error(e);
    }
    auto opt2 = sgd(w2);
    auto copy = descent::make_scheduler(spec, *opt2);
    copy->load_state_dict(schedule->state_dict());
    if (copy->last_epoch() != schedule->last_epoch()) std::abort();
  } catch (const std::exception& e) {
    descent::fuzz::expect_clean_error(e);
  }
  return 0;
}
