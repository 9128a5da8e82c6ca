// The ill-conditioning probe: g'g and g'Hg at the current weights, by a central difference of tape
// gradients or by Pearlmutter's R-operator (forward and backward R-passes in double precision).
#include "descent/train/curvature.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <unordered_set>
#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/nn/activations.h"
#include "descent/nn/dropout.h"
#include "descent/nn/linear.h"
#include "descent/nn/loss.h"

namespace descent {
namespace {

// ---------------------------------------------------------------------------------------------
// State the probe must leave untouched.

// The training flags of a module tree (through nested Sequentials), restored on destruction:
// parents first, since a Sequential's set_training overwrites its children's flags.
class TrainingFlagsGuard {
 public:
  explicit TrainingFlagsGuard(Module& root) : root_(root) { save(root); }
  ~TrainingFlagsGuard() {
    size_t next = 0;
    restore(root_, next);
  }
  TrainingFlagsGuard(const TrainingFlagsGuard&) = delete;
  TrainingFlagsGuard& operator=(const TrainingFlagsGuard&) = delete;

 private:
  void save(Module& m) {
    flags_.push_back(m.training());
    if (auto* seq = dynamic_cast<Sequential*>(&m))
      for (size_t i = 0; i < seq->size(); ++i) save((*seq)[i]);
  }
  void restore(Module& m, size_t& next) {
    m.set_training(flags_[next++]);
    if (auto* seq = dynamic_cast<Sequential*>(&m))
      for (size_t i = 0; i < seq->size(); ++i) restore((*seq)[i], next);
  }

  Module& root_;
  std::vector<bool> flags_;
};

// The model's distinct parameters (a tensor listed twice, as tied weights would be, counts once).
std::vector<Tensor> distinct_parameters(const Module& model) {
  std::vector<Tensor> out;
  std::unordered_set<const TensorImpl*> seen;
  for (const Tensor& p : model.parameters())
    if (seen.insert(p.impl()).second) out.push_back(p);
  return out;
}

// Copies of the parameters' values and gradients, written back into the same buffers on
// destruction. Values are restored from the copies, never by undoing a perturbation, so the
// weights come back bit for bit.
class ParameterSnapshot {
 public:
  explicit ParameterSnapshot(const std::vector<Tensor>& params) {
    for (const Tensor& p : params)
      saved_.push_back({p, p.to_vector(), p.has_grad(),
                        p.has_grad() ? p.grad().to_vector() : std::vector<float>{}});
  }
  ~ParameterSnapshot() {
    for (Saved& s : saved_) {
      std::copy(s.values.begin(), s.values.end(), s.param.data());
      if (s.had_grad)
        std::copy(s.grad.begin(), s.grad.end(), s.param.grad_data());  // the original buffer
      else
        s.param.clear_grad();
    }
  }
  ParameterSnapshot(const ParameterSnapshot&) = delete;
  ParameterSnapshot& operator=(const ParameterSnapshot&) = delete;

  const std::vector<float>& values(size_t i) const { return saved_[i].values; }

 private:
  struct Saved {
    Tensor param;
    std::vector<float> values;
    bool had_grad;
    std::vector<float> grad;
  };
  std::vector<Saved> saved_;
};

// The target the loss compares with: class indices become one-hot rows for the losses that take
// a target per output (as the trainer's task_loss does).
Tensor loss_target(const std::string& loss_name, int64_t num_classes, const Tensor& targets) {
  if (num_classes > 0 && !loss_is_classification(loss_name)) return one_hot(targets, num_classes);
  return targets;
}

CurvatureProbe make_probe(double lr, double grad_sq, double g_hess_g) {
  CurvatureProbe p;
  p.lr = lr;
  p.grad_sq = grad_sq;
  p.g_hess_g = g_hess_g;
  p.first_order = lr * grad_sq;
  p.second_order = 0.5 * lr * lr * g_hess_g;
  p.ill_conditioned = p.second_order > p.first_order;
  return p;
}

// ---------------------------------------------------------------------------------------------
// Difference: Hg ~ (grad L(w + r g) - grad L(w - r g)) / (2 r).
//
// The step along g has length h = r ||g|| = 1e-3 max(1, rms(w)). In float32 the central
// difference trades truncation error, O(h^2), against the rounding of the two float gradients,
// whose difference loses accuracy as 1/h. Against the exact method, h = 1e-3 came out best or near
// it on every network tried (tanh/ELU/sigmoid, 3-5-2 up to 784-256-128-10: relative error
// 1e-7..4e-5; 1e-2 reached 1.6e-2 and 1e-5 reached 2.5e-3). Large weights scale h up so that each
// weight's step, h g_i / ||g||, stays well above the weights' own float rounding.
//
// With ReLU-like activations the loss is only piecewise smooth: gradients jump where a
// pre-activation changes sign, and every jump inside w +- r g enters the difference. Their number
// grows in proportion to r, so their share of the estimate does not shrink with r until r is small
// enough that no kink lies within it; the exact method counts no kinks (see docs/curvature.md).
constexpr double kDifferenceStep = 1e-3;

CurvatureProbe probe_by_difference(Sequential& model, const LossFunction& loss, const Tensor& x,
                                   const Tensor& target, double lr) {
  const std::vector<Tensor> params = distinct_parameters(model);
  ParameterSnapshot snapshot(params);
  EnableGradGuard grad_on;

  // The flat gradient of the mean loss at the parameters' current values.
  auto gradient = [&]() {
    for (const Tensor& p : params)
      if (p.has_grad()) const_cast<Tensor&>(p).zero_grad();
    Tensor l = loss(model(x), target);
    if (l.requires_grad()) l.backward();
    std::vector<float> g;
    for (const Tensor& p : params) {
      if (p.has_grad()) {
        const std::vector<float> pg = p.grad().to_vector();
        g.insert(g.end(), pg.begin(), pg.end());
      } else {
        g.insert(g.end(), static_cast<size_t>(p.numel()), 0.0f);
      }
    }
    return g;
  };
  const std::vector<float> g = gradient();

  double grad_sq = 0, weight_sq = 0;
  for (float v : g) grad_sq += static_cast<double>(v) * v;
  for (size_t i = 0; i < params.size(); ++i)
    for (float v : snapshot.values(i)) weight_sq += static_cast<double>(v) * v;
  if (grad_sq == 0) return make_probe(lr, 0, 0);
  const double rms = g.empty() ? 0 : std::sqrt(weight_sq / static_cast<double>(g.size()));
  const double r = kDifferenceStep * std::max(1.0, rms) / std::sqrt(grad_sq);

  auto gradient_at = [&](double sign) {
    size_t k = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      float* w = const_cast<Tensor&>(params[i]).data();
      const std::vector<float>& w0 = snapshot.values(i);
      for (size_t j = 0; j < w0.size(); ++j, ++k)
        w[j] = static_cast<float>(w0[j] + sign * r * g[k]);
    }
    return gradient();
  };
  const std::vector<float> g_plus = gradient_at(+1);
  const std::vector<float> g_minus = gradient_at(-1);
  double g_hess_g = 0;
  for (size_t k = 0; k < g.size(); ++k)
    g_hess_g += static_cast<double>(g[k]) *
                (static_cast<double>(g_plus[k]) - static_cast<double>(g_minus[k]));
  return make_probe(lr, grad_sq, g_hess_g / (2 * r));
}

// ---------------------------------------------------------------------------------------------
// Exact: Pearlmutter's R-operator. R{.} is the directional derivative along v = g of any quantity
// of the forward and backward passes; R{grad L} = Hg. A forward R-pass carries R{a} next to each
// activation a, a backward R-pass carries R{delta} next to each delta = dL/da, and the parameters'
// R-gradients come out of the same products as the gradients do.

// A row-major [rows, cols] matrix in double.
struct Mat {
  int64_t rows = 0, cols = 0;
  std::vector<double> v;
  Mat() = default;
  Mat(int64_t r, int64_t c) : rows(r), cols(c), v(static_cast<size_t>(r * c), 0.0) {}
  double* data() { return v.data(); }
  const double* data() const { return v.data(); }
  size_t size() const { return v.size(); }
};

Mat to_mat(const Tensor& t, int64_t rows) {
  const int64_t n = t.numel();
  Mat m(rows, rows == 0 ? 0 : n / rows);
  for (int64_t i = 0; i < n; ++i) m.v[i] = t.data()[i];
  return m;
}

// c = alpha op(a) op(b) + beta c.
void gemm(bool trans_a, bool trans_b, double alpha, const Mat& a, const Mat& b, double beta,
          Mat& c) {
  const int64_t m = trans_a ? a.cols : a.rows, k = trans_a ? a.rows : a.cols;
  const int64_t n = trans_b ? b.rows : b.cols;
  if (m == 0 || n == 0) return;
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a.data(), static_cast<int>(a.cols), b.data(),
              static_cast<int>(b.cols), beta, c.data(), static_cast<int>(c.cols));
}

enum class Kind { Linear, Sigmoid, Tanh, ReLU, ELU, LeakyReLU, Softplus, LogSoftmax };

struct Layer {
  Kind kind;
  const Linear* linear = nullptr;
  double a = 0, b = 0;  // ELU alpha; LeakyReLU slope; Softplus beta and threshold
  // Linear only: weight [out, in], bias [out] (empty when absent), and the direction v for each
  // (g's part, zero for parameters that do not require grad).
  Mat w, bias, vw, vb;
};

// The layers in order, nested Sequentials flattened; throws on any layer the R-operator here
// cannot handle.
void collect_layers(Sequential& seq, const std::string& prefix, std::vector<Layer>& out) {
  for (size_t i = 0; i < seq.size(); ++i) {
    Module& m = seq[i];
    Layer l{};
    if (auto* inner = dynamic_cast<Sequential*>(&m)) {
      collect_layers(*inner, prefix + std::to_string(i) + ".", out);
      continue;
    } else if (dynamic_cast<Dropout*>(&m)) {
      continue;  // the probe runs in evaluation mode, where dropout is the identity
    } else if (auto* lin = dynamic_cast<Linear*>(&m)) {
      l.kind = Kind::Linear;
      l.linear = lin;
    } else if (dynamic_cast<Sigmoid*>(&m)) {
      l.kind = Kind::Sigmoid;
    } else if (dynamic_cast<Tanh*>(&m)) {
      l.kind = Kind::Tanh;
    } else if (dynamic_cast<ReLU*>(&m)) {
      l.kind = Kind::ReLU;
    } else if (auto* elu = dynamic_cast<ELU*>(&m)) {
      l.kind = Kind::ELU;
      l.a = elu->alpha();
    } else if (auto* leaky = dynamic_cast<LeakyReLU*>(&m)) {
      l.kind = Kind::LeakyReLU;
      l.a = leaky->negative_slope();
    } else if (auto* sp = dynamic_cast<Softplus*>(&m)) {
      l.kind = Kind::Softplus;
      l.a = sp->beta();
      l.b = sp->threshold();
    } else if (dynamic_cast<LogSoftmax*>(&m)) {
      l.kind = Kind::LogSoftmax;
    } else {
      throw std::invalid_argument(
          "Hessian method 'exact' does not support layer " + prefix + std::to_string(i) + " (" +
          m.describe() +
          "): it handles Linear, Sigmoid, Tanh, ReLU, ELU, LeakyReLU, Softplus, LogSoftmax and "
          "Dropout; "
          "use method 'difference' for this model");
    }
    out.push_back(std::move(l));
  }
}

// f'(x) and f''(x) of an elementwise activation, with the branch choices of descent's ops
// (relu'(0) = 0, softplus linear above the threshold).
void derivatives(const Layer& l, double x, double& d1, double& d2) {
  switch (l.kind) {
    case Kind::Sigmoid: {
      const double s = 1.0 / (1.0 + std::exp(-x));
      d1 = s * (1 - s);
      d2 = d1 * (1 - 2 * s);
      return;
    }
    case Kind::Tanh: {
      const double t = std::tanh(x);
      d1 = 1 - t * t;
      d2 = -2 * t * d1;
      return;
    }
    case Kind::ReLU:
      d1 = x > 0 ? 1 : 0;
      d2 = 0;
      return;
    case Kind::LeakyReLU:
      d1 = x > 0 ? 1 : l.a;
      d2 = 0;
      return;
    case Kind::ELU:
      d1 = x > 0 ? 1 : l.a * std::exp(x);
      d2 = x > 0 ? 0 : l.a * std::exp(x);
      return;
    case Kind::Softplus: {
      const double bx = l.a * x;
      if (bx > l.b) {
        d1 = 1;
        d2 = 0;
        return;
      }
      const double s = 1.0 / (1.0 + std::exp(-bx));
      d1 = s;
      d2 = l.a * s * (1 - s);
      return;
    }
    default:
      throw std::logic_error("derivatives: not an elementwise activation");
  }
}

double activate(const Layer& l, double x) {
  switch (l.kind) {
    case Kind::Sigmoid:
      return 1.0 / (1.0 + std::exp(-x));
    case Kind::Tanh:
      return std::tanh(x);
    case Kind::ReLU:
      return x > 0 ? x : 0;
    case Kind::LeakyReLU:
      return x > 0 ? x : l.a * x;
    case Kind::ELU:
      return x > 0 ? x : l.a * std::expm1(x);
    case Kind::Softplus:
      return l.a * x > l.b ? x : std::log1p(std::exp(l.a * x)) / l.a;
    default:
      throw std::logic_error("activate: not an elementwise activation");
  }
}

// Row-wise softmax of z.
Mat softmax_rows(const Mat& z) {
  Mat p(z.rows, z.cols);
  for (int64_t i = 0; i < z.rows; ++i) {
    const double* zi = z.data() + i * z.cols;
    double* pi = p.data() + i * z.cols;
    const double m = *std::max_element(zi, zi + z.cols);
    double s = 0;
    for (int64_t j = 0; j < z.cols; ++j) s += pi[j] = std::exp(zi[j] - m);
    for (int64_t j = 0; j < z.cols; ++j) pi[j] /= s;
  }
  return p;
}

// R{softmax(z)} = p (Rz - p.Rz), row by row.
Mat softmax_r(const Mat& p, const Mat& rz) {
  Mat out(p.rows, p.cols);
  for (int64_t i = 0; i < p.rows; ++i) {
    const double* pi = p.data() + i * p.cols;
    const double* ri = rz.data() + i * p.cols;
    double dot = 0;
    for (int64_t j = 0; j < p.cols; ++j) dot += pi[j] * ri[j];
    for (int64_t j = 0; j < p.cols; ++j) out.v[i * p.cols + j] = pi[j] * (ri[j] - dot);
  }
  return out;
}

// A Linear layer's weight and bias in double.
void load_linear(Layer& l) {
  const Tensor& w = l.linear->weight;
  l.w = to_mat(w, w.size(0));
  if (l.linear->bias.defined()) l.bias = to_mat(l.linear->bias, 1);
}

CurvatureProbe probe_exact(Sequential& model, const std::string& loss_name, const Tensor& inputs,
                           const Tensor& target, double lr, std::vector<Layer>& layers) {
  const int64_t n = inputs.dim() == 0 ? 1 : inputs.size(0);
  const size_t count = layers.size();
  for (Layer& l : layers)
    if (l.kind == Kind::Linear) load_linear(l);

  // Forward: acts[i] is layer i's input, acts[count] the model's output.
  std::vector<Mat> acts(count + 1);
  std::vector<Mat> probs(count);                 // LogSoftmax layers: softmax of their input
  std::vector<Mat> first(count), second(count);  // activations: f' and f'' at their input
  acts[0] = to_mat(inputs, n);
  for (size_t i = 0; i < count; ++i) {
    const Layer& l = layers[i];
    const Mat& x = acts[i];
    Mat& y = acts[i + 1];
    if (l.kind == Kind::Linear) {
      y = Mat(n, l.w.rows);
      if (!l.bias.v.empty())
        for (int64_t r = 0; r < n; ++r)
          std::copy(l.bias.v.begin(), l.bias.v.end(), y.v.begin() + r * y.cols);
      gemm(false, true, 1, x, l.w, 1, y);
    } else if (l.kind == Kind::LogSoftmax) {
      // z - max - log(sum exp(z - max)): finite even where a probability underflows.
      probs[i] = softmax_rows(x);
      y = x;
      for (int64_t r = 0; r < x.rows; ++r) {
        double* yr = y.data() + r * x.cols;
        const double m = *std::max_element(yr, yr + x.cols);
        double s = 0;
        for (int64_t j = 0; j < x.cols; ++j) s += std::exp(yr[j] - m);
        const double lse = m + std::log(s);
        for (int64_t j = 0; j < x.cols; ++j) yr[j] -= lse;
      }
    } else {
      y = Mat(x.rows, x.cols);
      first[i] = Mat(x.rows, x.cols);
      second[i] = Mat(x.rows, x.cols);
      for (size_t k = 0; k < y.size(); ++k) {
        y.v[k] = activate(l, x.v[k]);
        derivatives(l, x.v[k], first[i].v[k], second[i].v[k]);
      }
    }
  }

  // The loss's gradient delta = dL/dy and its Hessian action H_y(u), at the output y.
  const Mat& y = acts[count];
  const double total = static_cast<double>(y.size());
  const Mat t = to_mat(target, loss_name == "mse" || loss_name == "binary_cross_entropy" ? n : 1);
  Mat delta(y.rows, y.cols), y_probs;
  std::function<Mat(const Mat&)> loss_hessian;
  if (loss_name == "mse") {
    for (size_t k = 0; k < y.size(); ++k) delta.v[k] = 2 * (y.v[k] - t.v[k]) / total;
    loss_hessian = [total](const Mat& u) {
      Mat out = u;
      for (double& v : out.v) v *= 2 / total;
      return out;
    };
  } else if (loss_name == "binary_cross_entropy") {
    Mat curv(y.rows, y.cols);
    for (size_t k = 0; k < y.size(); ++k) {
      const double s = 1.0 / (1.0 + std::exp(-y.v[k]));
      delta.v[k] = (s - t.v[k]) / total;
      curv.v[k] = s * (1 - s) / total;
    }
    loss_hessian = [curv](const Mat& u) {
      Mat out = u;
      for (size_t k = 0; k < out.size(); ++k) out.v[k] *= curv.v[k];
      return out;
    };
  } else if (loss_name == "cross_entropy" || loss_name == "nll") {
    const bool ce = loss_name == "cross_entropy";
    if (ce) y_probs = softmax_rows(y);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = static_cast<int64_t>(t.v[i]);
      for (int64_t j = 0; j < y.cols; ++j)
        delta.v[i * y.cols + j] = ((ce ? y_probs.v[i * y.cols + j] : 0.0) - (j == k ? 1.0 : 0.0)) /
                                  static_cast<double>(n);
    }
    loss_hessian = [ce, &y_probs, n](const Mat& u) {
      if (!ce) return Mat(u.rows, u.cols);  // nll is linear in its input
      Mat out = softmax_r(y_probs, u);
      for (double& v : out.v) v /= static_cast<double>(n);
      return out;
    };
  } else {
    throw std::invalid_argument("Hessian method 'exact': unknown loss '" + loss_name + "'");
  }

  // Backward: deltas[i] = dL/d(acts[i]), and the Linear layers' gradients, which become the
  // direction v (zero for frozen parameters).
  std::vector<Mat> deltas(count + 1);
  deltas[count] = delta;
  double grad_sq = 0;
  for (size_t i = count; i-- > 0;) {
    Layer& l = layers[i];
    const Mat& d = deltas[i + 1];
    const Mat& x = acts[i];
    Mat& dx = deltas[i];
    if (l.kind == Kind::Linear) {
      l.vw = Mat(l.w.rows, l.w.cols);
      if (l.linear->weight.requires_grad()) gemm(true, false, 1, d, x, 0, l.vw);
      if (!l.bias.v.empty()) {
        l.vb = Mat(1, l.w.rows);
        if (l.linear->bias.requires_grad())
          for (int64_t r = 0; r < n; ++r)
            for (int64_t j = 0; j < d.cols; ++j) l.vb.v[j] += d.v[r * d.cols + j];
      }
      for (double v : l.vw.v) grad_sq += v * v;
      for (double v : l.vb.v) grad_sq += v * v;
      if (i == 0) continue;  // no one needs dL/d(inputs)
      dx = Mat(n, l.w.cols);
      gemm(false, false, 1, d, l.w, 0, dx);
    } else if (l.kind == Kind::LogSoftmax) {
      const Mat& p = probs[i];
      dx = d;
      for (int64_t r = 0; r < n; ++r) {
        double s = 0;
        for (int64_t j = 0; j < d.cols; ++j) s += d.v[r * d.cols + j];
        for (int64_t j = 0; j < d.cols; ++j) dx.v[r * d.cols + j] -= p.v[r * d.cols + j] * s;
      }
    } else {
      dx = Mat(x.rows, x.cols);
      for (size_t k = 0; k < x.size(); ++k) dx.v[k] = first[i].v[k] * d.v[k];
    }
  }
  if (grad_sq == 0) return make_probe(lr, 0, 0);

  // Forward R-pass: racts[i] = R{acts[i]}; the inputs do not depend on the weights.
  std::vector<Mat> racts(count + 1);
  racts[0] = Mat(acts[0].rows, acts[0].cols);
  for (size_t i = 0; i < count; ++i) {
    const Layer& l = layers[i];
    const Mat& x = acts[i];
    const Mat& rx = racts[i];
    Mat& ry = racts[i + 1];
    if (l.kind == Kind::Linear) {
      // R{x W^T + b} = R{x} W^T + x V^T + v_b.
      ry = Mat(n, l.w.rows);
      if (!l.vb.v.empty())
        for (int64_t r = 0; r < n; ++r)
          std::copy(l.vb.v.begin(), l.vb.v.end(), ry.v.begin() + r * ry.cols);
      gemm(false, true, 1, rx, l.w, 1, ry);
      gemm(false, true, 1, x, l.vw, 1, ry);
    } else if (l.kind == Kind::LogSoftmax) {
      // R{z - logsumexp(z)} = Rz - p.Rz.
      ry = rx;
      const Mat& p = probs[i];
      for (int64_t r = 0; r < n; ++r) {
        double dot = 0;
        for (int64_t j = 0; j < rx.cols; ++j) dot += p.v[r * rx.cols + j] * rx.v[r * rx.cols + j];
        for (int64_t j = 0; j < rx.cols; ++j) ry.v[r * rx.cols + j] -= dot;
      }
    } else {
      ry = Mat(x.rows, x.cols);
      for (size_t k = 0; k < x.size(); ++k) ry.v[k] = first[i].v[k] * rx.v[k];
    }
  }

  // Backward R-pass: rdelta = R{deltas[i + 1]}; each Linear layer's R-gradient is its part of Hg.
  Mat rdelta = loss_hessian(racts[count]);
  double g_hess_g = 0;
  for (size_t i = count; i-- > 0;) {
    const Layer& l = layers[i];
    const Mat& d = deltas[i + 1];
    const Mat& x = acts[i];
    const Mat& rx = racts[i];
    Mat rdx;
    if (l.kind == Kind::Linear) {
      // R{d^T x} = R{d}^T x + d^T R{x}; R{colsum d} = colsum R{d}. Frozen parts have v = 0.
      if (l.linear->weight.requires_grad()) {
        Mat hw(l.w.rows, l.w.cols);
        gemm(true, false, 1, rdelta, x, 0, hw);
        gemm(true, false, 1, d, rx, 1, hw);
        for (size_t k = 0; k < hw.size(); ++k) g_hess_g += l.vw.v[k] * hw.v[k];
      }
      if (!l.vb.v.empty() && l.linear->bias.requires_grad())
        for (int64_t r = 0; r < n; ++r)
          for (int64_t j = 0; j < rdelta.cols; ++j)
            g_hess_g += l.vb.v[j] * rdelta.v[r * rdelta.cols + j];
      if (i == 0) break;
      // R{d W} = R{d} W + d V.
      rdx = Mat(n, l.w.cols);
      gemm(false, false, 1, rdelta, l.w, 0, rdx);
      gemm(false, false, 1, d, l.vw, 1, rdx);
    } else if (l.kind == Kind::LogSoftmax) {
      // dx = d - p s with s = rowsum d: R{dx} = R{d} - R{p} s - p R{s}.
      const Mat& p = probs[i];
      const Mat rp = softmax_r(p, rx);
      rdx = rdelta;
      for (int64_t r = 0; r < n; ++r) {
        double s = 0, rs = 0;
        for (int64_t j = 0; j < d.cols; ++j) {
          s += d.v[r * d.cols + j];
          rs += rdelta.v[r * d.cols + j];
        }
        for (int64_t j = 0; j < d.cols; ++j) {
          const int64_t k = r * d.cols + j;
          rdx.v[k] -= rp.v[k] * s + p.v[k] * rs;
        }
      }
    } else {
      // dx = f'(x) d: R{dx} = f''(x) R{x} d + f'(x) R{d}.
      rdx = Mat(x.rows, x.cols);
      for (size_t k = 0; k < x.size(); ++k)
        rdx.v[k] = second[i].v[k] * rx.v[k] * d.v[k] + first[i].v[k] * rdelta.v[k];
    }
    rdelta = std::move(rdx);
  }
  return make_probe(lr, grad_sq, g_hess_g);
}

}  // namespace

HessianMethod parse_hessian_method(const std::string& name) {
  if (name == "difference") return HessianMethod::Difference;
  if (name == "exact") return HessianMethod::Exact;
  throw std::invalid_argument("unknown Hessian method '" + name + "' (valid: difference, exact)");
}

std::string to_string(HessianMethod method) {
  return method == HessianMethod::Exact ? "exact" : "difference";
}

CurvatureProbe probe_curvature(Sequential& model, const std::string& loss_name, int64_t num_classes,
                               const Tensor& inputs, const Tensor& targets, double lr,
                               HessianMethod method) {
  const LossFunction loss = loss_by_name(loss_name);
  const Tensor target = loss_target(loss_name, num_classes, targets);
  TrainingFlagsGuard flags(model);
  model.set_training(false);
  if (method == HessianMethod::Difference)
    return probe_by_difference(model, loss, inputs, target, lr);

  std::vector<Layer> layers;
  collect_layers(model, "", layers);
  std::unordered_set<const TensorImpl*> seen;
  for (const Layer& l : layers)
    if (l.kind == Kind::Linear &&
        (!seen.insert(l.linear->weight.impl()).second ||
         (l.linear->bias.defined() && !seen.insert(l.linear->bias.impl()).second)))
      throw std::invalid_argument(
          "Hessian method 'exact' does not support parameters shared between layers (" +
          l.linear->describe() + "); use method 'difference'");
  {
    // The float forward and loss check shapes and class indices with the usual messages.
    NoGradGuard no_grad;
    loss(model(inputs), target);
  }
  return probe_exact(model, loss_name, inputs, target, lr, layers);
}

}  // namespace descent
