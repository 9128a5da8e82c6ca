#pragma once
// A classifier's or regressor's objective: the loss of the model's outputs against the targets,
// and for classification the count of rows whose largest score is the target class.
#include "descent/nn/loss.h"
#include "descent/train/objective.h"

namespace descent {

class SupervisedObjective : public Objective {
 public:
  // classify: count correct examples (targets are class indices).
  SupervisedObjective(Module& model, LossFunction loss, bool classify)
      : model_(model), loss_(std::move(loss)), classify_(classify) {}
  Module& model() override { return model_; }
  ObjectiveValue compute(const Batch& batch) override;

 private:
  Module& model_;
  LossFunction loss_;
  bool classify_;
};

}  // namespace descent
