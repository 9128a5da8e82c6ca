#pragma once
// A classifier's loss and accuracy at many points of weight space: along a line (interpolation
// between two sets of weights) and over a plane w + a d1 + b d2 (landscape_directions.h), each
// point measured on the same examples with no-grad forward passes in batches.
//
// The plane is pure GEMM, and most of it is the first layer (784 x 256 of the default MLP's
// 784-256-256-10). That layer is linear in the weights, so its output at any point of the plane is
//   X (W + a D1 + b D2)^T + (c + a e1 + b e2) = P0 + a P1 + b P2,
// with P0, P1, P2 computed once: each point then costs a weighted sum of three [n, 256] blocks
// and the forward pass of the remaining layers (a quarter of the multiply-adds for the default
// MLP). Networks whose first layer is not Linear are evaluated whole at every point.
#include <cstdint>
#include <vector>

#include "descent/app/landscape_directions.h"
#include "descent/data/dataset.h"
#include "descent/nn/loss.h"
#include "descent/nn/sequential.h"

namespace descent {

struct LandscapePoint {
  double loss = 0, accuracy = 0;
};

// What the work took: for benchmarks (bench/landscape.py).
struct LandscapeWork {
  double seconds = 0;
  double flops = 0;  // multiply-adds x 2 of the GEMMs done, the shortcut included
};

class LandscapeEvaluator {
 public:
  // `model` (a classifier in evaluation mode) is measured on `data` (class indices) with `loss`;
  // its parameters are overwritten while measuring and left at the last point measured.
  LandscapeEvaluator(Sequential& model, const Dataset& data, LossFunction loss,
                     int64_t batch_size = 2500);

  // The point `weights`.
  LandscapePoint at(const Weights& weights);

  // center + a d1 + b d2 for every b of `bs` (rows) and a of `as` (columns): bs.size() rows of
  // as.size() values, row 0 at bs[0].
  std::vector<LandscapePoint> plane(const Weights& center, const Weights& d1, const Weights& d2,
                                    const std::vector<double>& as, const std::vector<double>& bs);

  // (1 - t) from + t to for every t.
  std::vector<LandscapePoint> line(const Weights& from, const Weights& to,
                                   const std::vector<double>& ts);

  // The work of the calls so far.
  const LandscapeWork& work() const { return work_; }

 private:
  LandscapePoint measure_from_layer(size_t first_layer, const std::vector<Tensor>& first_inputs);

  Sequential& model_;
  LossFunction loss_;
  std::vector<Tensor> inputs_, targets_;  // the examples in batches
  int64_t examples_ = 0;
  LandscapeWork work_;
};

// `count` points evenly spaced from lo to hi (both included); count 1 gives lo.
std::vector<double> evenly_spaced(double lo, double hi, int64_t count);

}  // namespace descent
