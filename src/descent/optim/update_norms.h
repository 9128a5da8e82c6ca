#pragma once
// How far one step moved a parameter, for the trainer's update ratio |p_after - p_before| /
// |p_before|: the two squared norms. Optimizer::step() measures them while it updates, so the
// trainer needs no copy of the weights and no extra passes over them. The optimizers whose loops
// run through update_each (optim/measure_each.h) measure them inside that pass.
namespace descent {

struct UpdateNorms {
  double before = 0;  // sum of p_before^2
  double change = 0;  // sum of (p_after - p_before)^2
  UpdateNorms& operator+=(const UpdateNorms& other) {
    before += other.before;
    change += other.change;
    return *this;
  }
};

}  // namespace descent
