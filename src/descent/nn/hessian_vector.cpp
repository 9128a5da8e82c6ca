// The exact g'g and g'Hg (nn/hessian_vector.h): Pearlmutter's R-operator, forward and backward
// R-passes in double precision on copies of the weights, without the tape.
#include "descent/nn/hessian_vector.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/nn/activations.h"
#include "descent/nn/dropout.h"
#include "descent/nn/linear.h"
#include "descent/nn/loss.h"
#include "descent/nn/loss_table.h"

namespace descent {
namespace {

// R{.} is the directional derivative along v = g of any quantity of the forward and backward
// passes; R{grad L} = Hg. A forward R-pass carries R{a} next to each activation a, a backward
// R-pass carries R{delta} next to each delta = dL/da, and the parameters' R-gradients come out of
// the same products as the gradients do.

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

enum class Kind { Linear, Elementwise, LogSoftmax };

struct Layer {
  Kind kind;
  const Linear* linear = nullptr;
  // Elementwise only: the activation table's entry and the layer's arguments.
  const ActivationEntry* activation = nullptr;
  ActivationArgs args{};
  // Linear only: weight [out, in], bias [out] (empty when absent), and the direction v for each
  // (g's part, zero for parameters that do not require grad).
  Mat w, bias, vw, vb;
};

// "Linear, ReLU, Sigmoid, ..., LogSoftmax and Dropout": what collect_layers accepts.
std::string supported_layers() {
  std::string names = "Linear";
  for (const ActivationEntry& e : activation_table()) names += std::string(", ") + e.module_name;
  return names + ", LogSoftmax and Dropout";
}

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
      continue;  // run in evaluation mode (see the header), where dropout is the identity
    } else if (auto* lin = dynamic_cast<Linear*>(&m)) {
      l.kind = Kind::Linear;
      l.linear = lin;
    } else if (auto* act = dynamic_cast<Activation*>(&m)) {
      l.kind = Kind::Elementwise;
      l.activation = &act->entry();
      l.args = act->args();
    } else if (dynamic_cast<LogSoftmax*>(&m)) {
      l.kind = Kind::LogSoftmax;
    } else {
      throw std::invalid_argument("Hessian method 'exact' does not support layer " + prefix +
                                  std::to_string(i) + " (" + m.describe() + "): it handles " +
                                  supported_layers() + "; use method 'difference' for this model");
    }
    out.push_back(std::move(l));
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

// g'g from the forward and backward passes, g'Hg from the R-passes, over the collected layers.
GradientCurvature r_operator(const std::string& loss_name, const Tensor& inputs,
                             const Tensor& target, std::vector<Layer>& layers) {
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
      const ActivationEntry& a = *l.activation;
      for (size_t k = 0; k < y.size(); ++k) {
        y.v[k] = a.f(x.v[k], l.args);
        first[i].v[k] = a.df(x.v[k], y.v[k], l.args);
        second[i].v[k] = a.d2f(x.v[k], y.v[k], first[i].v[k], l.args);
      }
    }
  }

  // The loss's gradient delta = dL/dy and its Hessian action H_y(u), at the output y.
  const Mat& y = acts[count];
  const double total = static_cast<double>(y.size());
  const ElementwiseLoss* elementwise = elementwise_loss(loss_name);
  const Mat t = to_mat(
      target, loss_name == "mse" || loss_name == "binary_cross_entropy" || elementwise ? n : 1);
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
  } else if (elementwise) {
    // mean(phi(y - t)): a diagonal Hessian phi''(d) / total (0 where l1 and the linear parts are).
    Mat curv(y.rows, y.cols);
    for (size_t k = 0; k < y.size(); ++k) {
      delta.v[k] = elementwise->dphi(y.v[k] - t.v[k]) / total;
      curv.v[k] = elementwise->d2phi(y.v[k] - t.v[k]) / total;
    }
    loss_hessian = [curv](const Mat& u) {
      Mat out = u;
      for (size_t k = 0; k < out.size(); ++k) out.v[k] *= curv.v[k];
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
  if (grad_sq == 0) return {0, 0};

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
  return {grad_sq, g_hess_g};
}

}  // namespace

bool exact_hessian_supports(const std::string& loss) {
  const LossSpec spec = parse_loss(loss);
  const std::string& name = spec.info->name;
  return spec.given.empty() && (name == "mse" || name == "binary_cross_entropy" ||
                                name == "cross_entropy" || name == "nll" || elementwise_loss(name));
}

GradientCurvature exact_gradient_curvature(Sequential& model, const std::string& loss_name,
                                           const Tensor& inputs, const Tensor& target) {
  const LossFunction loss = loss_by_name(loss_name);
  if (!exact_hessian_supports(loss_name))
    throw std::invalid_argument(
        "Hessian method 'exact' has the second derivatives of mse, cross_entropy, nll, "
        "binary_cross_entropy, l1, smooth_l1 and huber without options, not of loss '" +
        loss_name + "'; use method 'difference'");
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
  return r_operator(loss_name, inputs, target, layers);
}

}  // namespace descent
