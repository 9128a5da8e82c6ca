#include "descent/optim/soap.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>

#include "descent/optim/matrix_root.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct SoapOptions {
  double lr, beta1, beta2, shampoo_beta, eps, weight_decay;
  int64_t precondition_frequency, max_precond_dim;
  bool merge_dims, precondition_1d, normalize_grads, correct_bias, maximize;

  static SoapOptions from(const ParamGroup& group) {
    const double beta2 = group.get("beta2");
    const double shampoo_beta = group.get("shampoo_beta");
    return {group.get("lr"),
            group.get("beta1"),
            beta2,
            shampoo_beta >= 0 ? shampoo_beta : beta2,  // the reference's "-1: use beta2"
            group.get("eps"),
            group.get("weight_decay"),
            static_cast<int64_t>(group.get("precondition_frequency")),
            static_cast<int64_t>(group.get("max_precond_dim")),
            group.flag("merge_dims"),
            group.flag("precondition_1d"),
            group.flag("normalize_grads"),
            group.flag("correct_bias"),
            group.flag("maximize")};
  }
};

// One dimension of the parameter seen as [outer, n, inner] (row-major), and whether it has a
// statistic and a basis (the state buffers gg<k> and q<k>).
struct Mode {
  int64_t outer, n, inner;
  bool preconditioned;
  std::string gg, q;
};

std::vector<Mode> modes_of(const Tensor& param, const SoapOptions& o) {
  Shape dims = param.shape();
  bool vector = dims.size() <= 1;
  if (vector)
    dims = {param.numel()};
  else if (o.merge_dims)
    dims = Soap::merged_shape(dims, o.max_precond_dim);
  std::vector<Mode> modes;
  const int64_t total = param.numel();
  int64_t outer = 1;
  for (size_t k = 0; k < dims.size(); ++k) {
    const int64_t n = dims[k];
    const int64_t inner = n == 0 ? 0 : total / (outer * n);
    const bool preconditioned = n <= o.max_precond_dim && (!vector || o.precondition_1d);
    // Appended, not "gg" + to_string(k): gcc 12 warns falsely (-Wrestrict) on the latter.
    std::string gg = "gg", q = "q";
    gg += std::to_string(k);
    q += std::to_string(k);
    modes.push_back({outer, n, inner, preconditioned, gg, q});
    outer *= n;
  }
  return modes;
}

std::vector<double> to_double(const Tensor& t) {
  const float* d = t.data();
  return std::vector<double>(d, d + t.numel());
}

// x <- x multiplied along mode m by Q^T (into the basis: out[o, a, i] = sum_j Q[j, a] x[o, j, i])
// or by Q (back out of it: out[o, a, i] = sum_j Q[a, j] x[o, j, i]).
void mode_product(std::vector<double>& x, const Mode& m, const std::vector<double>& q,
                  bool into_basis, std::vector<double>& scratch) {
  scratch.resize(x.size());
  const int N = static_cast<int>(m.n), I = static_cast<int>(m.inner);
  if (m.inner == 1) {
    // x is [outer, n]: x Q (into) or x Q^T (back), one product.
    cblas_dgemm(CblasRowMajor, CblasNoTrans, into_basis ? CblasNoTrans : CblasTrans,
                static_cast<int>(m.outer), N, N, 1.0, x.data(), N, q.data(), N, 0.0, scratch.data(),
                N);
  } else {
    for (int64_t o = 0; o < m.outer; ++o) {
      const size_t at = static_cast<size_t>(o * m.n * m.inner);
      cblas_dgemm(CblasRowMajor, into_basis ? CblasTrans : CblasNoTrans, CblasNoTrans, N, I, N, 1.0,
                  q.data(), N, x.data() + at, I, 0.0, scratch.data() + at, I);
    }
  }
  x.swap(scratch);
}

// The statistic of mode m: sum over the other dimensions of x[., a, .] x[., b, .] (G G^T for the
// rows of a matrix, G^T G for its columns), n x n.
std::vector<double> gram(const std::vector<double>& x, const Mode& m) {
  const auto n = static_cast<size_t>(m.n);
  std::vector<double> out(n * n, 0.0);
  const int N = static_cast<int>(m.n), I = static_cast<int>(m.inner);
  if (m.inner == 1) {
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, N, static_cast<int>(m.outer), 1.0, x.data(),
                N, 0.0, out.data(), N);
  } else {
    for (int64_t o = 0; o < m.outer; ++o)
      cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, N, I, 1.0,
                  x.data() + static_cast<size_t>(o * m.n * m.inner), I, 1.0, out.data(), N);
  }
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < i; ++j) out[i * n + j] = out[j * n + i];  // the lower from the upper
  return out;
}

// gg <- gg + (1 - sb) (G's statistic - gg), torch's lerp_ as the reference writes it.
void update_statistic(Tensor& gg, const std::vector<double>& x, const Mode& m, double sb) {
  const std::vector<double> fresh = gram(x, m);
  float* s = gg.data();
  for (size_t i = 0; i < fresh.size(); ++i)
    s[i] = static_cast<float>(s[i] + (1.0 - sb) * (fresh[i] - s[i]));
}

// Q <- orth(GG Q') where Q' is Q with its columns ordered by diag(Q^T GG Q), descending; the
// same order is applied to v's entries along the mode.
void refresh_basis(Tensor& q_buffer, const Tensor& gg_buffer, const Mode& m, float* v) {
  const auto n = static_cast<size_t>(m.n);
  const std::vector<double> q = to_double(q_buffer), gg = to_double(gg_buffer);
  // GG Q gives both the estimates (q_a^T (GG q_a)) and, its columns reordered, the power step.
  std::vector<double> product(n * n);
  const int N = static_cast<int>(m.n);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0, gg.data(), N, q.data(), N,
              0.0, product.data(), N);
  std::vector<double> estimate(n, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t a = 0; a < n; ++a) estimate[a] += q[i * n + a] * product[i * n + a];
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return estimate[a] > estimate[b]; });
  // v's entries along the mode follow their basis vectors.
  const auto inner = static_cast<size_t>(m.inner);
  std::vector<float> slab(n * inner);
  for (int64_t o = 0; o < m.outer; ++o) {
    float* block = v + static_cast<size_t>(o) * n * inner;
    std::copy_n(block, n * inner, slab.begin());
    for (size_t a = 0; a < n; ++a)
      std::copy_n(slab.begin() + static_cast<std::ptrdiff_t>(order[a] * inner), inner,
                  block + a * inner);
  }
  std::vector<double> power(n * n);
  for (size_t i = 0; i < n; ++i)
    for (size_t a = 0; a < n; ++a) power[i * n + a] = product[i * n + order[a]];
  const std::vector<double> fresh = orthogonal_factor(power, m.n);
  float* out = q_buffer.data();
  for (size_t i = 0; i < n * n; ++i) out[i] = static_cast<float>(fresh[i]);
}

}  // namespace

Shape Soap::merged_shape(const Shape& shape, int64_t max_dim) {
  Shape merged;
  int64_t current = 1;
  for (int64_t d : shape) {
    if (current * d > max_dim) {
      // Close the running product; a dimension too long on its own stays as it is.
      if (current > 1) {
        merged.push_back(current);
        current = d;
      } else {
        merged.push_back(d);
        current = 1;
      }
    } else {
      current *= d;
    }
  }
  if (current > 1 || merged.empty()) merged.push_back(current);
  return merged;
}

std::vector<HyperparamDef> Soap::hyperparams() {
  HyperparamDef shampoo_beta = real("shampoo_beta", -1.0);
  shampoo_beta.min = -1.0;  // negative: beta2
  shampoo_beta.max = 1.0;
  shampoo_beta.max_open = true;
  return {non_negative("lr", 3e-3),
          unit_interval("beta1", 0.95),
          unit_interval("beta2", 0.95),
          shampoo_beta,
          non_negative("eps", 1e-8),
          non_negative("weight_decay", 0.01),
          integer("precondition_frequency", 10, 1),
          integer("max_precond_dim", 10000, 1),
          flag("merge_dims", false),
          flag("precondition_1d", false),
          flag("normalize_grads", false),
          flag("correct_bias", true),
          flag("maximize", false)};
}

Soap::Soap(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("soap", hyperparams(), defaults, std::move(groups)) {}

void Soap::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const SoapOptions o = SoapOptions::from(group);
  const int64_t n = param.numel();
  const auto size = static_cast<size_t>(n);
  const double sign = o.maximize ? -1.0 : 1.0;
  std::vector<double> g(size);
  for (size_t i = 0; i < size; ++i) g[i] = sign * grad[i];
  const double calls = next_step(state);
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  if (n == 0) return;
  const std::vector<Mode> modes = modes_of(param, o);

  if (calls == 1) {
    // The first step sets up the statistics and their eigenbases, and moves nothing.
    for (const Mode& mode : modes) {
      if (!mode.preconditioned) continue;
      Tensor& gg = state.buffer(mode.gg, {mode.n, mode.n});
      update_statistic(gg, g, mode, o.shampoo_beta);
      const SymmetricEigen e = symmetric_eigen(to_double(gg), mode.n);
      float* q = state.buffer(mode.q, {mode.n, mode.n}).data();
      for (size_t i = 0; i < e.vectors.size(); ++i) q[i] = static_cast<float>(e.vectors[i]);
    }
    return;
  }
  const double t = calls - 1;  // Adam's step count

  std::vector<std::vector<double>> bases(modes.size());
  for (size_t k = 0; k < modes.size(); ++k)
    if (modes[k].preconditioned) bases[k] = to_double(state.buffers.at(modes[k].q));

  // Adam on G' = Q_L^T G Q_R.
  std::vector<double> x = g, scratch;
  for (size_t k = 0; k < modes.size(); ++k)
    if (modes[k].preconditioned) mode_product(x, modes[k], bases[k], true, scratch);
  const double b1 = o.beta1, b2 = o.beta2;
  for (size_t i = 0; i < size; ++i) {
    m[i] = static_cast<float>(b1 * m[i] + (1.0 - b1) * x[i]);
    v[i] = static_cast<float>(b2 * v[i] + (1.0 - b2) * x[i] * x[i]);
    x[i] = m[i] / (std::sqrt(static_cast<double>(v[i])) + o.eps);
  }
  // Back to the parameter's coordinates.
  for (size_t k = 0; k < modes.size(); ++k)
    if (modes[k].preconditioned) mode_product(x, modes[k], bases[k], false, scratch);
  if (o.normalize_grads) {
    double sum_sq = 0;
    for (double d : x) sum_sq += d * d;
    const double rms = size > 0 ? std::sqrt(sum_sq / static_cast<double>(size)) : 0.0;
    for (double& d : x) d /= 1e-30 + rms;
  }
  const double step_size =
      o.correct_bias ? o.lr * std::sqrt(bias_correction(b2, t)) / bias_correction(b1, t) : o.lr;
  float* p = param.data();
  for (size_t i = 0; i < size; ++i) p[i] = static_cast<float>(p[i] - step_size * x[i]);
  // Decoupled weight decay after the step, on the stepped weights (the reference's order).
  if (o.weight_decay > 0)
    for (size_t i = 0; i < size; ++i)
      p[i] = static_cast<float>(p[i] - o.lr * o.weight_decay * p[i]);

  // The statistics see this step's gradient only now; every precondition_frequency steps the
  // bases follow them, and m moves with its basis.
  for (const Mode& mode : modes)
    if (mode.preconditioned) update_statistic(state.buffers.at(mode.gg), g, mode, o.shampoo_beta);
  if (static_cast<int64_t>(t) % o.precondition_frequency != 0) return;
  std::vector<double> moment(m, m + size);
  for (size_t k = 0; k < modes.size(); ++k)
    if (modes[k].preconditioned) mode_product(moment, modes[k], bases[k], false, scratch);
  for (size_t k = 0; k < modes.size(); ++k) {
    if (!modes[k].preconditioned) continue;
    Tensor& q = state.buffers.at(modes[k].q);
    refresh_basis(q, state.buffers.at(modes[k].gg), modes[k], v);
    bases[k] = to_double(q);
  }
  for (size_t k = 0; k < modes.size(); ++k)
    if (modes[k].preconditioned) mode_product(moment, modes[k], bases[k], true, scratch);
  for (size_t i = 0; i < size; ++i) m[i] = static_cast<float>(moment[i]);
}

}  // namespace descent
