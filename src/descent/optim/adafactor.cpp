#include "descent/optim/adafactor.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "descent/optim/update_parts.h"

namespace descent {
namespace {

// torch's lerp: start + w (end - start), or from the other end when w >= 0.5, which keeps
// lerp(a, b, 1) == b exactly (Adafactor's first step uses w = 1).
float lerp(float start, float end, float weight) {
  return std::abs(weight) < 0.5f ? start + weight * (end - start)
                                 : end - (end - start) * (1.0f - weight);
}

struct AdafactorOptions {
  double lr, beta2_decay, eps1, eps2, d, weight_decay;
  bool maximize;

  static AdafactorOptions from(const ParamGroup& group) {
    return {group.get("lr"), group.get("beta2_decay"),  group.get("eps1"),     group.get("eps2"),
            group.get("d"),  group.get("weight_decay"), group.flag("maximize")};
  }
};

}  // namespace

std::vector<HyperparamDef> Adafactor::hyperparams() {
  HyperparamDef beta2_decay = real("beta2_decay", -0.8);
  beta2_decay.max = 0.0;  // 1 - beta2_t = t^beta2_decay must stay in (0, 1]
  HyperparamDef d = real("d", 1.0);
  d.min = 1.0;  // a clipping threshold below 1 would clip every step (PyTorch refuses it too)
  return {non_negative("lr", 1e-2),
          beta2_decay,
          non_negative("eps1", std::numeric_limits<float>::epsilon()),
          non_negative("eps2", 1e-3),
          d,
          non_negative("weight_decay", 0.0),
          flag("maximize", false)};
}

Adafactor::Adafactor(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adafactor", hyperparams(), defaults, std::move(groups)) {}

void Adafactor::update(const ParamGroup& group, Tensor& param, const float* grad,
                       ParamState& state) {
  const int64_t n = param.numel();
  if (n == 0) return;
  const AdafactorOptions o = AdafactorOptions::from(group);
  const double eps1 = o.eps1;
  const float sign = maximize_sign(o.maximize);
  const double t = next_step(state);
  const float weight = static_cast<float>(std::pow(t, o.beta2_decay));
  const double rho = std::min(o.lr, 1.0 / std::sqrt(t));
  const float decay = decoupled_decay(o.lr, o.weight_decay);
  const float eps1_f = static_cast<float>(eps1);
  const float eps1_sq = static_cast<float>(eps1 * eps1);
  float* p = param.data();
  const Shape& shape = param.shape();
  const bool factored = shape.size() >= 2;

  // Pass 1: RMS(p) and the second-moment statistics.
  double p_sq = 0;
  float* row = nullptr;  // [batch, rows]
  float* col = nullptr;  // [batch, cols]
  float* var = nullptr;  // [n]
  int64_t rows = 1, cols = 1, batch = 1;
  std::vector<float> row_mean_clamped;  // per batch matrix: max(mean_i R_i, eps1)
  if (factored) {
    rows = shape[shape.size() - 2];
    cols = shape[shape.size() - 1];
    batch = n / (rows * cols);
    Shape row_shape = shape, col_shape = shape;
    row_shape.back() = 1;
    col_shape[col_shape.size() - 2] = 1;
    auto make = [&](const std::string& name, const Shape& s) -> float* {
      auto it = state.buffers.find(name);
      if (it == state.buffers.end()) it = state.buffers.emplace(name, Tensor::zeros(s)).first;
      return it->second.data();
    };
    row = make("row_var", row_shape);
    col = make("col_var", col_shape);
    // Column sums need all rows before the lerp: one row of doubles, not a parameter-sized
    // temporary.
    std::vector<double> col_sum(static_cast<size_t>(cols));
    row_mean_clamped.resize(static_cast<size_t>(batch));
    for (int64_t b = 0; b < batch; ++b) {
      std::fill(col_sum.begin(), col_sum.end(), 0.0);
      double row_total = 0;
      for (int64_t i = 0; i < rows; ++i) {
        const int64_t base = (b * rows + i) * cols;
        double row_sum = 0;
        for (int64_t j = 0; j < cols; ++j) {
          const double g = grad[base + j];
          p_sq += static_cast<double>(p[base + j]) * p[base + j];
          row_sum += g * g;
          col_sum[j] += g * g;
        }
        float& r = row[b * rows + i];
        r = lerp(r, static_cast<float>(row_sum / cols), weight);
        row_total += r;
      }
      for (int64_t j = 0; j < cols; ++j) {
        float& c = col[b * cols + j];
        c = lerp(c, static_cast<float>(col_sum[j] / rows), weight);
      }
      row_mean_clamped[b] = std::max(static_cast<float>(row_total / rows), eps1_f);
    }
  } else {
    var = state.buffer("variance", param).data();
  }

  // U_k = g_k / sqrt(max(v_k, eps1^2)), v_k from the element's row and column, or its variance.
  auto u_of = [&](float g, float v) -> float {
    return (1.0f / std::sqrt(std::max(v, eps1_sq))) * (sign * g);
  };
  // The loops below are written out per case (no test per element, no division for the row and
  // column) so that the float work vectorizes; the double sums stay element by element in the
  // order they had, out of a block of floats computed first, so they are the same sums.
  constexpr int64_t kBlock = 64;
  float u_block[kBlock];
  double u_sq = 0;
  // For a factored parameter, f(bi, r, mean, c, g) for each row bi over the batch of matrices:
  // its R_i, its matrix's max(mean_i R_i, eps1), its matrix's C and its gradient row.
  auto for_each_row = [&](auto&& f) {
    for (int64_t bi = 0; bi < batch * rows; ++bi) {
      const int64_t b = bi / rows;
      f(bi, row[bi], row_mean_clamped[b], col + b * cols, grad + bi * cols);
    }
  };
  if (factored) {
    // Pass 2: RMS(U) for the clipping.
    for_each_row([&](int64_t, float r, float mean, const float* c, const float* g) {
      for (int64_t start = 0; start < cols; start += kBlock) {
        const int64_t len = std::min(kBlock, cols - start);
        for (int64_t j = 0; j < len; ++j) u_block[j] = u_of(g[start + j], r * c[start + j] / mean);
        for (int64_t j = 0; j < len; ++j) {
          const double u = u_block[j];
          u_sq += u * u;
        }
      }
    });
  } else {
    // Passes 1 and 2 together, as U_k needs only v_k: the variance, RMS(p) and RMS(U).
    auto pass = [&]<bool kNearStart>() {
      for (int64_t start = 0; start < n; start += kBlock) {
        const int64_t len = std::min(kBlock, n - start);
        float* vb = var + start;
        const float* gb = grad + start;
        const float* pb = p + start;
        for (int64_t i = 0; i < len; ++i) {
          const float g = gb[i];
          const float end = g * g;
          // lerp(var, g^2, weight), its branch chosen once.
          if constexpr (kNearStart)
            vb[i] = vb[i] + weight * (end - vb[i]);
          else
            vb[i] = end - (end - vb[i]) * (1.0f - weight);
          u_block[i] = u_of(g, vb[i]);
        }
        for (int64_t i = 0; i < len; ++i) {
          const double u = u_block[i];
          p_sq += static_cast<double>(pb[i]) * pb[i];
          u_sq += u * u;
        }
      }
    };
    if (std::abs(weight) < 0.5f)
      pass.template operator()<true>();
    else
      pass.template operator()<false>();
  }
  const double root_n = std::sqrt(static_cast<double>(n));
  const double alpha = std::max(o.eps2, std::sqrt(p_sq) / root_n) * rho;
  const double clip = std::max(1.0, std::sqrt(u_sq) / (root_n * o.d));
  const float neg_step = static_cast<float>(-alpha / clip);

  // Pass 3: the step.
  if (factored) {
    for_each_row([&](int64_t bi, float r, float mean, const float* c, const float* g) {
      float* pr = p + bi * cols;
      for (int64_t j = 0; j < cols; ++j) {
        // neg_step * U first: the contraction into an FMA takes that product, as it did here
        // before (where p * decay sat in another block), so the results stay the same.
        const float step = neg_step * u_of(g[j], r * c[j] / mean);
        pr[j] = pr[j] * decay + step;
      }
    });
  } else {
    for (int64_t k = 0; k < n; ++k) p[k] = p[k] * decay + neg_step * u_of(grad[k], var[k]);
  }
}

}  // namespace descent
