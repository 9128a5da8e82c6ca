#pragma once
// What AdamP and SGDP (Heo et al. 2021, "AdamP: Slowing Down the Slowdown for Momentum Optimizers
// on Scale-invariant Weights"; the authors' clovaai/AdamP) share: for a weight whose scale does not
// matter (one followed by a normalization), the radial part of the update only grows its norm and
// so shrinks the effective step. A weight is judged scale-invariant when its gradient is nearly
// orthogonal to it, first row by row (channels: [out, ...] rows), then as a whole (the layer):
//   cos_r = |<g_r, p_r>| / max(||g_r|| ||p_r||, eps)
//   if max_r cos_r < delta / sqrt(row length):  d_r <- d_r - p^_r <p^_r, d_r>,
//                                                p^_r = p_r / (||p_r|| + eps)
// and the weight decay of that step is multiplied by wd_ratio. Parameters of fewer than 2
// dimensions are never projected.
#include <cstdint>

#include "descent/tensor/tensor.h"

namespace descent {

// Projects `d` (the update, param.numel() values) in place where the test above holds; returns
// the weight decay's factor for this step (wd_ratio, or 1 when nothing was projected).
double project_scale_invariant(const Tensor& param, const float* grad, float* d, double delta,
                               double wd_ratio, double eps);

}  // namespace descent
