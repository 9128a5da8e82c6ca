#include "descent/optim/muon.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "descent/optim/adam.h"

namespace descent {
namespace {

const HyperparamDef& adjust_lr_def() {
  static const HyperparamDef def = choice("adjust_lr", {"original", "match_rms_adamw"}, "original");
  return def;
}

enum class AdjustLr { Original, MatchRmsAdamW };

// The factor on lr for a rows x cols matrix.
double lr_scale(AdjustLr adjust, int64_t rows, int64_t cols) {
  const auto r = static_cast<double>(rows), c = static_cast<double>(cols);
  return adjust == AdjustLr::Original ? std::sqrt(std::max(1.0, r / c))
                                      : 0.2 * std::sqrt(std::max(r, c));
}

struct MuonOptions {
  double lr, momentum;
  bool nesterov;
  int ns_steps;
  double weight_decay;
  AdjustLr adjust;
  AdamOptions adamw;  // for vectors: adamw_lr, adamw_beta1, adamw_beta2, adamw_eps, weight_decay

  static MuonOptions from(const ParamGroup& group) {
    AdamOptions adamw;
    adamw.lr = group.get("adamw_lr");
    adamw.beta1 = group.get("adamw_beta1");
    adamw.beta2 = group.get("adamw_beta2");
    adamw.eps = group.get("adamw_eps");
    adamw.weight_decay = group.get("weight_decay");
    return {group.get("lr"),
            group.get("momentum"),
            group.flag("nesterov"),
            static_cast<int>(group.get("ns_steps")),
            group.get("weight_decay"),
            group.choice<AdjustLr>(adjust_lr_def(), {{"original", AdjustLr::Original},
                                                     {"match_rms_adamw", AdjustLr::MatchRmsAdamW}}),
            adamw};
  }
};

}  // namespace

std::vector<HyperparamDef> Muon::hyperparams() {
  return {non_negative("lr", 0.02),
          unit_interval("momentum", 0.95),
          flag("nesterov", true),
          integer("ns_steps", 5, 1),
          non_negative("weight_decay", 0.0),
          adjust_lr_def(),
          non_negative("adamw_lr", 3e-4),
          unit_interval("adamw_beta1", 0.95),
          unit_interval("adamw_beta2", 0.95),
          non_negative("adamw_eps", 1e-8)};
}

Muon::Muon(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("muon", hyperparams(), defaults, std::move(groups)) {
  for (const auto& g : param_groups())
    if (g.get("ns_steps") != std::floor(g.get("ns_steps")))
      throw std::invalid_argument("muon: ns_steps must be an integer");
}

void Muon::orthogonalize(const float* g, int64_t rows, int64_t cols, int steps, float* out) {
  constexpr float a = 3.4445f, b = -4.7750f, c = 2.0315f;
  // Work on the wide orientation (m <= n), so X X^T is the smaller Gram matrix.
  const bool transpose = rows > cols;
  const int64_t m = transpose ? cols : rows, n = transpose ? rows : cols;
  double norm2 = 0;
  for (int64_t i = 0; i < rows * cols; ++i) norm2 += static_cast<double>(g[i]) * g[i];
  const float inv = static_cast<float>(1.0 / (std::sqrt(norm2) + 1e-7));
  std::vector<float> x(static_cast<size_t>(m * n)), y(x.size());
  std::vector<float> gram(static_cast<size_t>(m * m)), poly(gram.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) x[transpose ? j * n + i : i * n + j] = g[i * cols + j] * inv;
  const int M = static_cast<int>(m), N = static_cast<int>(n);
  for (int s = 0; s < steps; ++s) {
    // A = X X^T;  B = b A + c A A;  X = a X + B X
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, M, N, 1.0f, x.data(), N, x.data(), N,
                0.0f, gram.data(), M);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, M, M, c, gram.data(), M, gram.data(),
                M, 0.0f, poly.data(), M);
    for (size_t i = 0; i < gram.size(); ++i) poly[i] += b * gram[i];
    for (size_t i = 0; i < x.size(); ++i) y[i] = a * x[i];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, M, 1.0f, poly.data(), M, x.data(),
                N, 1.0f, y.data(), N);
    x.swap(y);
  }
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) out[i * cols + j] = x[transpose ? j * n + i : i * n + j];
}

void Muon::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const MuonOptions o = MuonOptions::from(group);
  if (param.dim() < 2) {
    adam_update(o.adamw, /*decoupled_weight_decay=*/true, param, grad, state);
    return;
  }
  const float lr = static_cast<float>(o.lr);
  const float mu = static_cast<float>(o.momentum);
  const float wd = static_cast<float>(o.weight_decay);
  const int64_t rows = param.size(0), n = param.numel(), cols = n / rows;
  float* buf = state.buffer("momentum_buffer", param).data();
  scratch_.resize(static_cast<size_t>(n));
  float* u = scratch_.data();
  for (int64_t i = 0; i < n; ++i) {
    buf[i] = mu * buf[i] + grad[i];
    u[i] = o.nesterov ? grad[i] + mu * buf[i] : buf[i];
  }
  orthogonalize(u, rows, cols, o.ns_steps, u);
  const float scale = static_cast<float>(lr_scale(o.adjust, rows, cols));
  float* p = param.data();
  for (int64_t i = 0; i < n; ++i) p[i] -= lr * (scale * u[i] + wd * p[i]);
}

}  // namespace descent
