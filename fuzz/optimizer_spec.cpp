// make_optimizer from the input as a SPEC string ("adam:lr=0.01,betas=[0.9,0.99]"), over a
// weight matrix and a bias; an optimizer it builds must take a step and save and load its state.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "clean_error.h"
#include "descent/optim/registry.h"
#include "descent/util/random.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string spec(reinterpret_cast<const char*>(data), size);
  descent::Generator gen(1);
  descent::Tensor w = descent::Tensor::normal({3, 2}, 0.0f, 1.0f, gen).requires_grad_();
  descent::Tensor b = descent::Tensor::zeros({3}).requires_grad_();
  try {
    auto opt = descent::make_optimizer(spec, {w, b});
    // The loss |w|^2/2 + |b|^2/2 and its gradient, for every optimizer (L-BFGS needs it).
    auto closure = [&] {
      float loss = 0;
      for (descent::Tensor* p : {&w, &b})
        for (int64_t i = 0; i < p->numel(); ++i) {
          p->grad_data()[i] = p->data()[i];
          loss += 0.5f * p->data()[i] * p->data()[i];
        }
      return loss;
    };
    opt->step(closure);
    opt->step(closure);
    opt->load_state_dict(opt->state_dict());
  } catch (const std::exception& e) {
    descent::fuzz::expect_clean_error(e);
  }
  return 0;
}
