// The README's library example as a program of its own: a 2-64-3 tanh network trained with
// descent's Adam on three spirals, one minibatch at a time. Prints the loss before and after and
// exits 1 unless training lowered it. Built against an installed descent by CMake
// (find_package(descent)) or by hand:
//   c++ -std=c++20 -O2 main.cpp $(pkg-config --cflags --libs descent)
#include <cstdio>

#include "descent/data/synthetic.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/registry.h"

int main() {
  descent::Generator data_gen(1), init_gen(0);
  const descent::Dataset spirals =
      descent::make_synthetic_dataset("spirals", {.size = 300}, data_gen);
  auto model = descent::build_network({"linear:out=64", "tanh", "linear:out=3"}, 2, init_gen);
  auto optimizer = descent::make_optimizer("adam:lr=0.01", model->parameters());
  const descent::Tensor x = spirals.inputs, labels = spirals.targets;
  double first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    optimizer->zero_grad();
    descent::Tensor loss = descent::cross_entropy((*model)(x), labels);
    loss.backward();
    optimizer->step();
    (step == 0 ? first : last) = loss.item();
  }
  std::printf("loss %.4f -> %.4f\n", first, last);
  return last < 0.7 * first ? 0 : 1;
}
