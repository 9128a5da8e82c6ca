#include "descent/optim/scale_invariant_projection.h"

#include <algorithm>
#include <cmath>

#include "descent/util/sum_squares.h"

namespace descent {
namespace {

// The test and the projection for one view: `rows` rows of `cols` values.
bool project_view(const float* p, const float* g, float* d, int64_t rows, int64_t cols,
                  double delta, double eps) {
  double max_cos = 0;
  for (int64_t r = 0; r < rows; ++r) {
    double gp = 0, gg = 0, pp = 0;
    for (int64_t i = r * cols; i < (r + 1) * cols; ++i) {
      gp += static_cast<double>(g[i]) * p[i];
      gg += static_cast<double>(g[i]) * g[i];
      pp += static_cast<double>(p[i]) * p[i];
    }
    // PyTorch's cosine_similarity: x.y / sqrt(max(|x|^2 |y|^2, eps^2)).
    max_cos = std::max(max_cos, std::abs(gp) / std::sqrt(std::max(gg * pp, eps * eps)));
  }
  if (!(max_cos < delta / std::sqrt(static_cast<double>(cols)))) return false;
  for (int64_t r = 0; r < rows; ++r) {
    const double scale = 1.0 / (std::sqrt(sum_squares(p + r * cols, cols)) + eps);  // p^ = p scale
    double dot = 0;                                                                 // <p^, d>
    for (int64_t i = r * cols; i < (r + 1) * cols; ++i) dot += p[i] * scale * d[i];
    for (int64_t i = r * cols; i < (r + 1) * cols; ++i)
      d[i] -= static_cast<float>(p[i] * scale * dot);
  }
  return true;
}

}  // namespace

double project_scale_invariant(const Tensor& param, const float* grad, float* d, double delta,
                               double wd_ratio, double eps) {
  if (param.dim() < 2) return 1.0;
  const int64_t n = param.numel(), rows = param.shape()[0];
  const float* p = param.data();
  if (project_view(p, grad, d, rows, n / rows, delta, eps)) return wd_ratio;
  if (project_view(p, grad, d, 1, n, delta, eps)) return wd_ratio;
  return 1.0;
}

}  // namespace descent
