#include "descent/optim/shampoo.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "descent/optim/matrix_root.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

const HyperparamDef& grafting_def() {
  static const HyperparamDef def = choice("grafting", {"adagrad", "adam", "sgd", "none"}, "adam");
  return def;
}

enum class Grafting { AdaGrad, Adam, Sgd, None };

struct ShampooOptions {
  double lr, beta2, momentum, weight_decay;
  bool nesterov, decoupled, maximize;
  Grafting grafting;
  double grafting_beta2, grafting_eps;
  int64_t precondition_frequency, start_preconditioning_step;
  double inverse_root_exponent, matrix_eps;
  int64_t max_preconditioner_dim;

  static ShampooOptions from(const ParamGroup& group) {
    return {group.get("lr"),
            group.get("beta2"),
            group.get("momentum"),
            group.get("weight_decay"),
            group.flag("nesterov"),
            group.flag("decoupled"),
            group.flag("maximize"),
            group.choice<Grafting>(grafting_def(), {{"adagrad", Grafting::AdaGrad},
                                                    {"adam", Grafting::Adam},
                                                    {"sgd", Grafting::Sgd},
                                                    {"none", Grafting::None}}),
            group.get("grafting_beta2"),
            group.get("grafting_eps"),
            static_cast<int64_t>(group.get("precondition_frequency")),
            static_cast<int64_t>(group.get("start_preconditioning_step")),
            group.get("inverse_root_exponent"),
            group.get("matrix_eps"),
            static_cast<int64_t>(group.get("max_preconditioner_dim"))};
  }
};

double frobenius(const std::vector<double>& x) {
  double sum = 0;
  for (double v : x) sum += v * v;
  return std::sqrt(sum);
}

// stats <- beta2 stats + (1 - beta2) X X^T for X (n x k, row-major); beta2 = 1 is the plain sum.
// transpose: X^T X instead, for X (k x n).
void accumulate_gram(float* stats, const double* x, int64_t n, int64_t k, bool transpose,
                     double beta2, std::vector<double>& gram) {
  const auto size = static_cast<size_t>(n);
  gram.assign(size * size, 0.0);
  const int N = static_cast<int>(n), K = static_cast<int>(k);
  if (transpose)
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, N, K, 1.0, x, N, 0.0, gram.data(), N);
  else
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, N, K, 1.0, x, K, 0.0, gram.data(), N);
  const double keep = beta2, add = beta2 == 1.0 ? 1.0 : 1.0 - beta2;
  for (size_t i = 0; i < size; ++i)
    for (size_t j = 0; j < size; ++j) {
      const double g = i <= j ? gram[i * size + j] : gram[j * size + i];  // the upper triangle
      stats[i * size + j] = static_cast<float>(keep * stats[i * size + j] + add * g);
    }
}

}  // namespace

std::vector<HyperparamDef> Shampoo::hyperparams() {
  HyperparamDef exponent = real("inverse_root_exponent", 4.0);
  exponent.min = 1.0;  // a root of order below 1 would be a power: not a preconditioner
  HyperparamDef matrix_eps = non_negative("matrix_eps", 1e-6);
  matrix_eps.min = 1e-30;  // 0 would leave the root of a singular L infinite
  return {non_negative("lr", 1e-3),
          fraction("beta2", 1.0),
          unit_interval("momentum", 0.9),
          flag("nesterov", false),
          non_negative("weight_decay", 0.0),
          flag("decoupled", true),
          grafting_def(),
          unit_interval("grafting_beta2", 0.999),
          non_negative("grafting_eps", 1e-8),
          integer("precondition_frequency", 10, 1),
          integer("start_preconditioning_step", 10, 1),
          exponent,
          matrix_eps,
          integer("max_preconditioner_dim", 1024, 1),
          flag("maximize", false)};
}

Shampoo::Shampoo(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("shampoo", hyperparams(), defaults, std::move(groups)) {}

void Shampoo::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const ShampooOptions o = ShampooOptions::from(group);
  const int64_t n = param.numel();
  const auto size = static_cast<size_t>(n);
  const double t = next_step(state);
  if (n == 0) return;
  float* p = param.data();
  const double sign = o.maximize ? -1.0 : 1.0;
  const double coupled = o.decoupled ? 0.0 : o.weight_decay;
  grad_.resize(size);
  for (size_t i = 0; i < size; ++i) grad_[i] = sign * grad[i] + coupled * p[i];

  // The grafted step D_g; its state advances every step, whatever else happens.
  graft_ = grad_;
  if (o.grafting == Grafting::AdaGrad) {
    float* a = state.buffer("graft_sum_sq", param).data();
    for (size_t i = 0; i < size; ++i) {
      a[i] = static_cast<float>(a[i] + grad_[i] * grad_[i]);
      graft_[i] = grad_[i] / (std::sqrt(static_cast<double>(a[i])) + o.grafting_eps);
    }
  } else if (o.grafting == Grafting::Adam) {
    float* v = state.buffer("graft_exp_avg_sq", param).data();
    const double b = o.grafting_beta2, correction = bias_correction(b, t);
    for (size_t i = 0; i < size; ++i) {
      v[i] = static_cast<float>(b * v[i] + (1.0 - b) * grad_[i] * grad_[i]);
      graft_[i] = grad_[i] / (std::sqrt(v[i] / correction) + o.grafting_eps);
    }
  }

  const std::vector<double>* step = &graft_;
  if (param.dim() >= 2 && n > 0) {
    const int64_t rows = param.size(0), cols = n / rows;
    const bool left = rows <= o.max_preconditioner_dim, right = cols <= o.max_preconditioner_dim;
    // The statistics every step; the roots at start, start + k, ...
    const auto since_start = static_cast<int64_t>(t) - o.start_preconditioning_step;
    const bool refresh = since_start >= 0 && since_start % o.precondition_frequency == 0;
    float* left_root = nullptr;
    float* right_root = nullptr;
    if (left) {
      float* stats = state.buffer("left_stats", {rows, rows}).data();
      accumulate_gram(stats, grad_.data(), rows, cols, false, o.beta2, product_);
      left_root = state.buffer("left_root", {rows, rows}).data();
      if (refresh) inverse_root(stats, rows, o.matrix_eps, o.inverse_root_exponent, left_root);
    }
    if (right) {
      float* stats = state.buffer("right_stats", {cols, cols}).data();
      accumulate_gram(stats, grad_.data(), cols, rows, true, o.beta2, product_);
      right_root = state.buffer("right_root", {cols, cols}).data();
      if (refresh) inverse_root(stats, cols, o.matrix_eps, o.inverse_root_exponent, right_root);
    }
    if (since_start >= 0) {
      // P = L_root G R_root, each product in double.
      const int R = static_cast<int>(rows), C = static_cast<int>(cols);
      direction_ = grad_;
      if (left_root) {
        root_.assign(left_root, left_root + rows * rows);
        product_.resize(size);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, R, C, R, 1.0, root_.data(), R,
                    direction_.data(), C, 0.0, product_.data(), C);
        direction_.swap(product_);
      }
      if (right_root) {
        root_.assign(right_root, right_root + cols * cols);
        product_.resize(size);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, R, C, C, 1.0, direction_.data(), C,
                    root_.data(), C, 0.0, product_.data(), C);
        direction_.swap(product_);
      }
      if (o.grafting != Grafting::None) {
        const double norm = frobenius(direction_);
        const double scale = norm > 0 ? frobenius(graft_) / norm : 0.0;
        for (double& d : direction_) d *= scale;
      }
      step = &direction_;
    }
  }

  const WeightDecay wd = weight_decay_of(o.lr, o.weight_decay, o.decoupled);
  const std::vector<double>& d = *step;
  if (o.momentum > 0) {
    float* b = state.buffer("momentum_buffer", param).data();
    for (size_t i = 0; i < size; ++i) {
      b[i] = static_cast<float>(o.momentum * b[i] + d[i]);
      const double u = o.nesterov ? d[i] + o.momentum * b[i] : static_cast<double>(b[i]);
      p[i] = static_cast<float>(p[i] * wd.decay - o.lr * u);
    }
  } else {
    for (size_t i = 0; i < size; ++i) p[i] = static_cast<float>(p[i] * wd.decay - o.lr * d[i]);
  }
}

}  // namespace descent
