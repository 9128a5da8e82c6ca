// Shampoo and SOAP, the two optimizers whose preconditioners are matrices: each against its
// authors' update written out here in double precision (with a Jacobi eigen solver and a
// Gram-Schmidt QR of its own, so the reference shares no code with LAPACK's path), the
// properties that define them, resuming through safetensors bit for bit, and the hyper-parameters
// they refuse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "descent/optim/registry.h"
#include "descent/optim/soap.h"
#include "optim_reference.h"
#include "optim_resume.h"
#include "throws_with.h"

namespace descent {
namespace test_optim_shampoo_soap {

using namespace testutil;

// ---------------------------------------------------------------------------------------------
// Dense matrices in double, row-major.

struct Mat {
  size_t rows = 0, cols = 0;
  Vec a;
  Mat() = default;
  Mat(size_t r, size_t c) : rows(r), cols(c), a(r * c, 0.0) {}
  Mat(size_t r, size_t c, Vec values) : rows(r), cols(c), a(std::move(values)) {}
  double& operator()(size_t i, size_t j) { return a[i * cols + j]; }
  double operator()(size_t i, size_t j) const { return a[i * cols + j]; }
};

Mat identity(size_t n) {
  Mat m(n, n);
  for (size_t i = 0; i < n; ++i) m(i, i) = 1;
  return m;
}

Mat operator*(const Mat& x, const Mat& y) {
  Mat out(x.rows, y.cols);
  for (size_t i = 0; i < x.rows; ++i)
    for (size_t j = 0; j < y.cols; ++j) {
      double s = 0;
      for (size_t k = 0; k < x.cols; ++k) s += x(i, k) * y(k, j);
      out(i, j) = s;
    }
  return out;
}

Mat transposed(const Mat& x) {
  Mat out(x.cols, x.rows);
  for (size_t i = 0; i < x.rows; ++i)
    for (size_t j = 0; j < x.cols; ++j) out(j, i) = x(i, j);
  return out;
}

// Cyclic Jacobi: S = V diag(w) V^T, the eigenvalues in descending order (columns of V).
struct Eigen {
  Vec values;
  Mat vectors;
};

Eigen jacobi_eigen(Mat s) {
  const size_t n = s.rows;
  Mat v = identity(n);
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = i + 1; j < n; ++j) off += s(i, j) * s(i, j);
    if (off < 1e-30) break;
    for (size_t p = 0; p < n; ++p)
      for (size_t q = p + 1; q < n; ++q) {
        if (s(p, q) == 0) continue;
        // The rotation that zeroes s(p, q).
        const double theta = (s(q, q) - s(p, p)) / (2 * s(p, q));
        const double t =
            sgn(theta == 0 ? 1.0 : theta) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), sn = t * c;
        for (size_t k = 0; k < n; ++k) {
          const double skp = s(k, p), skq = s(k, q);
          s(k, p) = c * skp - sn * skq;
          s(k, q) = sn * skp + c * skq;
        }
        for (size_t k = 0; k < n; ++k) {
          const double spk = s(p, k), sqk = s(q, k);
          s(p, k) = c * spk - sn * sqk;
          s(q, k) = sn * spk + c * sqk;
        }
        for (size_t k = 0; k < n; ++k) {
          const double vkp = v(k, p), vkq = v(k, q);
          v(k, p) = c * vkp - sn * vkq;
          v(k, q) = sn * vkp + c * vkq;
        }
      }
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return s(a, a) > s(b, b); });
  Eigen e{Vec(n), Mat(n, n)};
  for (size_t k = 0; k < n; ++k) {
    e.values[k] = s(order[k], order[k]);
    for (size_t i = 0; i < n; ++i) e.vectors(i, k) = v(i, order[k]);
  }
  return e;
}

// (S + eps I)^(-1/r), eigenvalues below 0 taken as 0.
Mat inverse_root(const Mat& s, double eps, double r) {
  const Eigen e = jacobi_eigen(s);
  Mat scaled = e.vectors;
  for (size_t k = 0; k < s.rows; ++k)
    for (size_t i = 0; i < s.rows; ++i)
      scaled(i, k) *= std::pow(std::max(e.values[k], 0.0) + eps, -1 / r);
  return scaled * transposed(e.vectors);
}

// Q of A = QR by Gram-Schmidt, each column orthogonalized twice ("twice is enough").
Mat gram_schmidt(const Mat& a) {
  const size_t n = a.rows;
  Mat q = a;
  for (size_t j = 0; j < n; ++j) {
    for (int pass = 0; pass < 2; ++pass)
      for (size_t k = 0; k < j; ++k) {
        double dot = 0;
        for (size_t i = 0; i < n; ++i) dot += q(i, k) * q(i, j);
        for (size_t i = 0; i < n; ++i) q(i, j) -= dot * q(i, k);
      }
    double norm = 0;
    for (size_t i = 0; i < n; ++i) norm += q(i, j) * q(i, j);
    norm = std::sqrt(norm);
    for (size_t i = 0; i < n; ++i) q(i, j) /= norm;
  }
  return q;
}

// The problems' parameters as matrices: the quadratic's [3, 4], the valley's [1, 1].
size_t rows_of(size_t n) { return n == 12 ? 3 : 1; }

// ---------------------------------------------------------------------------------------------
// Shampoo with grafting, as Gupta et al. and Anil et al. write it (shampoo.h has the formulas).

struct ShampooSettings {
  double lr = 1e-3, beta2 = 1.0, momentum = 0.9;
  bool nesterov = false;
  double weight_decay = 0;
  bool decoupled = true;
  std::string grafting = "adam";
  double grafting_beta2 = 0.999, grafting_eps = 1e-8;
  int frequency = 10, start = 10;
  double exponent = 4, matrix_eps = 1e-6;
  size_t max_dim = 1024;
};

struct RefShampoo : RefOptimizer {
  ShampooSettings o;
  size_t rows, cols;
  Mat left, right, left_root, right_root;
  Vec graft_state, momentum;
  int t = 0;
  RefShampoo(size_t n, ShampooSettings settings)
      : o(std::move(settings)),
        rows(rows_of(n)),
        cols(n / rows),
        left(rows, rows),
        right(cols, cols),
        left_root(identity(rows)),
        right_root(identity(cols)),
        graft_state(n, 0.0),
        momentum(n, 0.0) {}

  void step(Vec& p, const Vec& grad) override {
    ++t;
    const size_t n = p.size();
    Mat g(rows, cols);
    for (size_t i = 0; i < n; ++i) g.a[i] = grad[i] + (o.decoupled ? 0 : o.weight_decay * p[i]);
    Vec graft = g.a;
    for (size_t i = 0; i < n; ++i) {
      if (o.grafting == "adagrad") {
        graft_state[i] += g.a[i] * g.a[i];
        graft[i] = g.a[i] / (std::sqrt(graft_state[i]) + o.grafting_eps);
      } else if (o.grafting == "adam") {
        graft_state[i] =
            o.grafting_beta2 * graft_state[i] + (1 - o.grafting_beta2) * g.a[i] * g.a[i];
        graft[i] = g.a[i] / (std::sqrt(graft_state[i] / (1 - std::pow(o.grafting_beta2, t))) +
                             o.grafting_eps);
      }
    }
    const double add = o.beta2 == 1 ? 1 : 1 - o.beta2;
    const Mat ggt = g * transposed(g), gtg = transposed(g) * g;
    for (size_t i = 0; i < left.a.size(); ++i) left.a[i] = o.beta2 * left.a[i] + add * ggt.a[i];
    for (size_t i = 0; i < right.a.size(); ++i) right.a[i] = o.beta2 * right.a[i] + add * gtg.a[i];
    Vec d = graft;
    if (t >= o.start) {
      if ((t - o.start) % o.frequency == 0) {
        if (rows <= o.max_dim) left_root = inverse_root(left, o.matrix_eps, o.exponent);
        if (cols <= o.max_dim) right_root = inverse_root(right, o.matrix_eps, o.exponent);
      }
      const Mat pre = left_root * g * right_root;
      d = pre.a;
      if (o.grafting != "none") {
        const double scale = norm(graft) / norm(pre.a);
        for (double& x : d) x *= scale;
      }
    }
    for (size_t i = 0; i < n; ++i) {
      double u = d[i];
      if (o.momentum > 0) {
        momentum[i] = o.momentum * momentum[i] + d[i];
        u = o.nesterov ? d[i] + o.momentum * momentum[i] : momentum[i];
      }
      if (o.decoupled) p[i] *= 1 - o.lr * o.weight_decay;
      p[i] -= o.lr * u;
    }
  }
};

RefFactory shampoo(ShampooSettings s) {
  return [s](size_t n) { return std::make_unique<RefShampoo>(n, s); };
}

// ---------------------------------------------------------------------------------------------
// SOAP, as the authors' soap.py orders it (soap.h has the formulas).

struct SoapSettings {
  double lr = 3e-3, beta1 = 0.95, beta2 = 0.95, shampoo_beta = -1, eps = 1e-8, weight_decay = 0.01;
  int frequency = 10;
  size_t max_dim = 10000;
  bool normalize = false, correct_bias = true;
};

struct RefSoap : RefOptimizer {
  SoapSettings o;
  size_t rows, cols;
  bool has_left, has_right;
  double sb;
  Mat left, right, q_left, q_right, m, v;
  int calls = 0;
  RefSoap(size_t n, SoapSettings settings)
      : o(std::move(settings)),
        rows(rows_of(n)),
        cols(n / rows),
        has_left(rows <= o.max_dim),
        has_right(cols <= o.max_dim),
        sb(o.shampoo_beta >= 0 ? o.shampoo_beta : o.beta2),
        left(rows, rows),
        right(cols, cols),
        q_left(identity(rows)),
        q_right(identity(cols)),
        m(rows, cols),
        v(rows, cols) {}

  // G' = Q_L^T G Q_R and back, G = Q_L G' Q_R^T.
  Mat project(const Mat& x) const { return transposed(q_left) * x * q_right; }
  Mat project_back(const Mat& x) const { return q_left * x * transposed(q_right); }

  void lerp_statistics(const Mat& g) {
    const Mat ggt = g * transposed(g), gtg = transposed(g) * g;
    for (size_t i = 0; i < left.a.size(); ++i) left.a[i] += (1 - sb) * (ggt.a[i] - left.a[i]);
    for (size_t i = 0; i < right.a.size(); ++i) right.a[i] += (1 - sb) * (gtg.a[i] - right.a[i]);
  }

  // Sorts q's columns by diag(q^T s q), descending, permuting v's rows (side 0) or columns
  // (side 1) alike, then q <- orth(s q).
  void refresh(Mat& q, const Mat& s, int side) {
    const size_t n = q.rows;
    const Mat est = transposed(q) * s * q;
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return est(a, a) > est(b, b); });
    Mat sorted(n, n), permuted = v;
    for (size_t i = 0; i < n; ++i)
      for (size_t a = 0; a < n; ++a) sorted(i, a) = q(i, order[a]);
    for (size_t i = 0; i < v.rows; ++i)
      for (size_t j = 0; j < v.cols; ++j)
        permuted(i, j) = side == 0 ? v(order[i], j) : v(i, order[j]);
    v = permuted;
    q = gram_schmidt(s * sorted);
  }

  void step(Vec& p, const Vec& grad) override {
    const Mat g(rows, cols, grad);
    if (++calls == 1) {
      lerp_statistics(g);
      if (has_left) q_left = jacobi_eigen(left).vectors;
      if (has_right) q_right = jacobi_eigen(right).vectors;
      return;
    }
    const int t = calls - 1;
    const Mat gp = project(g);
    Mat ratio(rows, cols);
    for (size_t i = 0; i < gp.a.size(); ++i) {
      m.a[i] = o.beta1 * m.a[i] + (1 - o.beta1) * gp.a[i];
      v.a[i] = o.beta2 * v.a[i] + (1 - o.beta2) * gp.a[i] * gp.a[i];
      ratio.a[i] = m.a[i] / (std::sqrt(v.a[i]) + o.eps);
    }
    Mat step = project_back(ratio);
    if (o.normalize) {
      const double rms = norm(step.a) / std::sqrt(static_cast<double>(step.a.size()));
      for (double& x : step.a) x /= 1e-30 + rms;
    }
    double size = o.lr;
    if (o.correct_bias) size *= std::sqrt(1 - std::pow(o.beta2, t)) / (1 - std::pow(o.beta1, t));
    for (size_t i = 0; i < p.size(); ++i) {
      p[i] -= size * step.a[i];
      p[i] -= o.lr * o.weight_decay * p[i];
    }
    // update_preconditioner: m out of the basis, the statistics, maybe new bases, m back in.
    const Mat m_out = project_back(m);
    lerp_statistics(g);
    if (t % o.frequency == 0) {
      if (has_left) refresh(q_left, left, 0);
      if (has_right) refresh(q_right, right, 1);
    }
    m = project(m_out);
  }
};

RefFactory soap(SoapSettings s) {
  return [s](size_t n) { return std::make_unique<RefSoap>(n, s); };
}

// ---------------------------------------------------------------------------------------------
// Registration, maximize, resume, refusals.

TEST(ShampooSoap, RegisteredWithTheirDefaults) {
  Tensor p = Tensor::zeros({2, 3}).requires_grad_();
  auto shampoo_opt = make_optimizer("shampoo", {p});
  EXPECT_EQ(shampoo_opt->name(), "shampoo");
  const ParamGroup& s = shampoo_opt->param_groups()[0];
  EXPECT_EQ(s.get("lr"), 1e-3);
  EXPECT_EQ(s.get("inverse_root_exponent"), 4);
  EXPECT_EQ(s.get("max_preconditioner_dim"), 1024);
  auto soap_opt = make_optimizer("soap:betas=(0.9,0.99)", {p});
  const ParamGroup& g = soap_opt->param_groups()[0];
  EXPECT_EQ(g.get("lr"), 3e-3);
  EXPECT_EQ(g.get("beta1"), 0.9);
  EXPECT_EQ(g.get("beta2"), 0.99);
  EXPECT_EQ(g.get("shampoo_beta"), -1);
  EXPECT_EQ(g.get("weight_decay"), 0.01);
  EXPECT_EQ(g.get("precondition_frequency"), 10);
  EXPECT_EQ(g.get("max_precond_dim"), 10000);
  EXPECT_TRUE(g.flag("correct_bias"));
}

TEST(ShampooSoap, MaximizeEqualsMinimizingTheNegation) {
  expect_maximize_equals_minimizing_the_negation(
      "shampoo:lr=0.01,precondition_frequency=2,start_preconditioning_step=2");
  expect_maximize_equals_minimizing_the_negation("soap:lr=0.01,precondition_frequency=3");
}

TEST(ShampooSoap, ResumeBitForBit) {
  for (const char* spec :
       {"shampoo:lr=0.01,precondition_frequency=3,start_preconditioning_step=2,weight_decay=0.01",
        "shampoo:lr=0.01,grafting=adagrad,nesterov=true,beta2=0.9,precondition_frequency=4,"
        "start_preconditioning_step=4,max_preconditioner_dim=4,decoupled=false,weight_decay=0.01",
        "soap:lr=0.01,precondition_frequency=3",
        "soap:lr=0.01,precondition_frequency=2,merge_dims=true,precondition_1d=true,"
        "normalize_grads=true,shampoo_beta=0.9"})
    expect_resume_is_exact(spec);
}

TEST(ShampooSoap, BadHyperparametersAreRefusedNamingThem) {
  Tensor p = Tensor::zeros({2, 2}).requires_grad_();
  const auto refused = [&](const std::string& spec, std::initializer_list<std::string> parts) {
    return throws_with<SpecError>([&] { make_optimizer(spec, {p}); }, parts);
  };
  EXPECT_TRUE(refused("shampoo:grafting=rmsprop",
                      {"grafting=rmsprop", "expected one of adagrad, adam, sgd, none"}));
  EXPECT_TRUE(refused("shampoo:inverse_root_exponent=0.5", {"inverse_root_exponent=0.5"}));
  EXPECT_TRUE(refused("shampoo:matrix_eps=0", {"matrix_eps=0"}));
  EXPECT_TRUE(
      refused("shampoo:precondition_frequency=0", {"precondition_frequency=0", "a whole number"}));
  EXPECT_TRUE(refused("shampoo:start_preconditioning_step=2.5",
                      {"start_preconditioning_step=2.5", "a whole number"}));
  EXPECT_TRUE(refused("shampoo:beta2=1.5", {"beta2=1.5"}));
  EXPECT_TRUE(refused("soap:shampoo_beta=1", {"shampoo_beta=1"}));
  EXPECT_TRUE(refused("soap:betas=(0.9,1)", {"beta2=1"}));
  EXPECT_TRUE(refused("soap:max_precond_dim=0", {"max_precond_dim=0", "a whole number"}));
  EXPECT_TRUE(refused("soap:data_format=channels_last", {"data_format"}));
}

// ---------------------------------------------------------------------------------------------
// Shampoo.

// Two gradients one small step apart make R = G1^T G1 + G2^T G2 nearly singular: its smallest
// eigenvalue (about 1e-5 here) carries float32's rounding of R (about 3e-7) into the root of that
// direction. With matrix_eps 1e-6 that alone separates float from double by 3e-5; matrix_eps
// 1e-3 bounds the root there and the difference falls to rounding (formula errors stay at 1e-3).
TEST(Shampoo, MatchesTheAuthorsUpdateInDouble) {
  ShampooSettings adam;
  adam.lr = 0.005;
  adam.frequency = 3;
  adam.start = 2;
  adam.matrix_eps = 1e-3;
  expect_matches_reference(
      "shampoo:lr=0.005,precondition_frequency=3,start_preconditioning_step=2,matrix_eps=1e-3",
      shampoo(adam));

  ShampooSettings adagrad;
  adagrad.lr = 0.02;
  adagrad.grafting = "adagrad";
  adagrad.beta2 = 0.9;
  adagrad.momentum = 0.5;
  adagrad.nesterov = true;
  adagrad.weight_decay = 0.01;
  adagrad.decoupled = false;
  adagrad.frequency = 1;
  adagrad.start = 1;
  adagrad.matrix_eps = 1e-4;
  expect_matches_reference(
      "shampoo:lr=0.02,grafting=adagrad,beta2=0.9,momentum=0.5,nesterov=true,weight_decay=0.01,"
      "decoupled=false,precondition_frequency=1,start_preconditioning_step=1,matrix_eps=1e-4",
      shampoo(adagrad));

  // SGD grafting, the square root (exponent 2), decoupled weight decay, the right side too long.
  ShampooSettings sgd;
  sgd.lr = 0.05;
  sgd.grafting = "sgd";
  sgd.momentum = 0;
  sgd.exponent = 2;
  sgd.weight_decay = 0.1;
  sgd.frequency = 4;
  sgd.start = 3;
  sgd.max_dim = 3;
  expect_matches_reference(
      "shampoo:lr=0.05,grafting=sgd,momentum=0,inverse_root_exponent=2,weight_decay=0.1,"
      "precondition_frequency=4,start_preconditioning_step=3,max_preconditioner_dim=3",
      shampoo(sgd));

  // No grafting: P itself is the step.
  ShampooSettings none;
  none.lr = 0.01;
  none.grafting = "none";
  none.momentum = 0;
  none.frequency = 5;
  none.start = 1;
  expect_matches_reference(
      "shampoo:lr=0.01,grafting=none,momentum=0,precondition_frequency=5,"
      "start_preconditioning_step=1",
      shampoo(none));
}

// With the paper's sum (beta2 = 1) and exponent 4, the first preconditioned step of a gradient
// G = U S V^T is (G G^T)^(-1/4) G (G^T G)^(-1/4) = U V^T: the orthogonal polar factor (what
// Muon approximates). A wrong exponent (here 2) leaves a step that is not orthogonal.
TEST(Shampoo, FirstStepIsThePolarFactorOfTheGradient) {
  const std::vector<float> g = {2.0f, -1.0f, 0.5f, 0.3f, 1.5f, -0.7f, -0.4f, 0.2f, 1.1f};
  auto first_step = [&](const std::string& exponent) {
    Tensor p = Tensor::zeros({3, 3}).requires_grad_();
    auto opt = make_optimizer(
        "shampoo:lr=1,momentum=0,grafting=none,start_preconditioning_step=1,matrix_eps=1e-12,"
        "inverse_root_exponent=" +
            exponent,
        {p});
    set_grad(p, g);
    opt->step();
    Mat step(3, 3);
    for (size_t i = 0; i < 9; ++i) step.a[i] = -p.data()[i];
    return step;
  };
  const Mat polar = first_step("4");
  const Mat ppt = polar * transposed(polar);
  for (size_t i = 0; i < 3; ++i)
    for (size_t j = 0; j < 3; ++j) EXPECT_NEAR(ppt(i, j), i == j ? 1.0 : 0.0, 1e-4) << i << j;
  // P^T G = V S V^T: symmetric and positive definite.
  const Mat ptg = transposed(polar) * Mat(3, 3, Vec(g.begin(), g.end()));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_GT(ptg(i, i), 0);
    for (size_t j = 0; j < i; ++j) EXPECT_NEAR(ptg(i, j), ptg(j, i), 1e-4);
  }
  const Mat square_root = first_step("2");
  const Mat other = square_root * transposed(square_root);
  EXPECT_GT(std::abs(other(0, 0) - 1.0) + std::abs(other(1, 1) - 1.0), 0.1);
}

// The roots are recomputed at start, start + k, start + 2k, ... and at no other step; before
// start they are not there yet (zeros) and the step is the grafted optimizer's alone.
TEST(Shampoo, RootsChangeOnlyEveryKStepsFromTheStart) {
  const Problem pr = quadratic();
  std::vector<Tensor> params = params_of(pr);
  auto opt = make_optimizer("shampoo:lr=0.01,precondition_frequency=3,start_preconditioning_step=2",
                            params);
  std::vector<float> before = std::vector<float>(9, 0.0f);
  for (int t = 1; t <= 12; ++t) {
    loss_closure(*opt, pr, params)();
    opt->step();
    const std::vector<float> root = buffer_of(*opt, 0, "left_root");
    const bool refresh = t >= 2 && (t - 2) % 3 == 0;
    EXPECT_EQ(root != before, refresh) << "step " << t;
    before = root;
  }
}

// A parameter with fewer than 2 dimensions is stepped by the grafted optimizer alone: with
// adagrad grafting and no momentum, Adagrad itself.
TEST(Shampoo, VectorsAreSteppedByTheGraftedOptimizer) {
  auto run = [](const std::string& spec) {
    Tensor p = Tensor::from({4}, {0.5f, -1.0f, 2.0f, 0.1f}).requires_grad_();
    auto opt = make_optimizer(spec, {p});
    for (int s = 0; s < 10; ++s) {
      opt->zero_grad();
      Tensor d = p - Tensor::from({4}, {1.0f, 1.0f, -1.0f, 0.0f});
      sum(d * d * Tensor::from({4}, {1.0f, 2.0f, 3.0f, 4.0f})).backward();
      opt->step();
    }
    return p.to_vector();
  };
  const std::vector<float> got = run("shampoo:lr=0.1,grafting=adagrad,momentum=0");
  const std::vector<float> want = run("adagrad:lr=0.1,eps=1e-8");
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << i;
  EXPECT_NE(got, run("shampoo:lr=0.1,grafting=adam,momentum=0"));
}

// A side longer than max_preconditioner_dim keeps no statistics and no root (the identity).
TEST(Shampoo, ALongSideIsNotPreconditioned) {
  Tensor w = Tensor::zeros({3, 5}).requires_grad_();
  auto opt = make_optimizer("shampoo:max_preconditioner_dim=4", {w});
  std::fill_n(w.grad_data(), 15, 0.5f);
  opt->step();
  std::vector<std::string> names;
  for (const auto& t : opt->state_dict().tensors) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"state.0.graft_exp_avg_sq", "state.0.left_root",
                                             "state.0.left_stats", "state.0.momentum_buffer"}));
}

// ---------------------------------------------------------------------------------------------
// SOAP.

// On these deterministic problems the second step's rotated gradient Q_L^T G Q_R is G's singular
// values on the diagonal and rounding elsewhere (the first step saw the same G), which Adam's
// normalization would turn into steps of about lr in float32 where double has none, and until
// the first refresh the entries along R's null direction (G is 3 x 4) are small differences of
// gradients: eps = 1e-3 keeps both near 0 in float and double alike (the reference's float32 code
// has the same sensitivity; with eps 1e-4 they differ by 1.6e-5).
TEST(Soap, MatchesTheAuthorsUpdateInDouble) {
  SoapSettings base;
  base.lr = 0.01;
  base.eps = 1e-3;
  base.frequency = 3;
  expect_matches_reference("soap:lr=0.01,eps=1e-3,precondition_frequency=3", soap(base));

  SoapSettings options;
  options.lr = 0.02;
  options.beta1 = 0.9;
  options.beta2 = 0.99;
  options.shampoo_beta = 0.8;
  options.eps = 1e-3;
  options.weight_decay = 0.1;
  options.frequency = 2;
  options.normalize = true;
  options.correct_bias = false;
  expect_matches_reference(
      "soap:lr=0.02,betas=(0.9,0.99),shampoo_beta=0.8,eps=1e-3,weight_decay=0.1,"
      "precondition_frequency=2,normalize_grads=true,correct_bias=false",
      soap(options));

  // The columns (4) longer than max_precond_dim: only L and its basis, the default eps.
  SoapSettings left_only;
  left_only.lr = 0.01;
  left_only.max_dim = 3;
  left_only.frequency = 4;
  expect_matches_reference("soap:lr=0.01,max_precond_dim=3,precondition_frequency=4",
                           soap(left_only));
}

// The first step only sets up the statistics and their bases: the parameter does not move, and
// gg0 = (1 - shampoo_beta) G G^T.
TEST(Soap, FirstStepOnlySetsUpTheBases) {
  Tensor w = Tensor::from({2, 2}, {1.0f, 2.0f, 3.0f, 4.0f}).requires_grad_();
  auto opt = make_optimizer("soap:shampoo_beta=0.5", {w});
  set_grad(w, {1.0f, -2.0f, 0.5f, 1.0f});
  opt->step();
  EXPECT_EQ(w.to_vector(), (std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f}));
  // G G^T = [[5, -1.5], [-1.5, 1.25]]
  EXPECT_EQ(buffer_of(*opt, 0, "gg0"), (std::vector<float>{2.5f, -0.75f, -0.75f, 0.625f}));
  opt->step();
  EXPECT_NE(w.to_vector(), (std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f}));
}

// A vector (precondition_1d false) is Adam with eps outside the bias correction (Keras' form),
// one step late: SOAP's step k + 1 is Adam's step k.
TEST(Soap, VectorsAreAdamOneStepLate) {
  auto run = [](const std::string& spec, int steps) {
    Tensor p = Tensor::from({4}, {0.5f, -1.0f, 2.0f, 0.1f}).requires_grad_();
    auto opt = make_optimizer(spec, {p});
    for (int s = 0; s < steps; ++s) {
      opt->zero_grad();
      Tensor d = p - Tensor::from({4}, {1.0f, 1.0f, -1.0f, 0.0f});
      sum(d * d * Tensor::from({4}, {1.0f, 2.0f, 3.0f, 4.0f})).backward();
      opt->step();
    }
    return p.to_vector();
  };
  const std::vector<float> got = run("soap:lr=0.01,weight_decay=0", 21);
  const std::vector<float> want = run("adam:lr=0.01,betas=(0.95,0.95),convention=keras", 20);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << i;
}

// Adam in the eigenbasis of L and R makes SOAP equivariant under rotations of the rows and the
// columns: on f(U^T W V), started from U W0 V^T, its iterates are U W_t V^T, where W_t are its
// iterates on f from W0. Adam, whose coordinates are the parameter's own, is not.
TEST(Soap, RotatingRowsAndColumnsRotatesTheTrajectory) {
  const double c = std::cos(0.7), s = std::sin(0.7), c2 = std::cos(-1.1), s2 = std::sin(-1.1);
  const Mat u(3, 3, {c, -s, 0, s, c, 0, 0, 0, 1});
  const Mat v =
      Mat(3, 3, {1, 0, 0, 0, c2, -s2, 0, s2, c2}) * Mat(3, 3, {c, 0, s, 0, 1, 0, -s, 0, c});
  auto to_tensor = [](const Mat& m) {
    return Tensor::from({3, 3}, std::vector<float>(m.a.begin(), m.a.end()));
  };
  const Tensor ut = to_tensor(transposed(u)), vt = to_tensor(v);
  const Tensor a = Tensor::from({3, 3}, {1.0f, 0.5f, 2.0f, 1.5f, 0.8f, 1.2f, 0.6f, 2.5f, 1.0f});
  const Tensor target =
      Tensor::from({3, 3}, {1.0f, -1.0f, 0.5f, 0.2f, 1.3f, -0.8f, -1.1f, 0.4f, 0.9f});
  const Mat w0(3, 3, {0.1, 0.2, -0.3, 0.4, -0.5, 0.6, 0.0, 0.3, -0.2});
  // f(W) = 0.5 sum(A (W - T)^2); rotated: the same f of U^T W V.
  auto run = [&](const std::string& spec, bool rotated) {
    Tensor w = to_tensor(rotated ? u * w0 * transposed(v) : w0).requires_grad_();
    auto opt = make_optimizer(spec, {w});
    for (int step = 0; step < 30; ++step) {
      opt->zero_grad();
      Tensor x = rotated ? matmul(matmul(ut, w), vt) : w;
      Tensor d = x - target;
      (0.5f * sum(a * d * d)).backward();
      opt->step();
    }
    const std::vector<float> f = w.to_vector();
    return Mat(3, 3, Vec(f.begin(), f.end()));
  };
  auto gap = [&](const std::string& spec) {
    const Mat plain = u * run(spec, false) * transposed(v), rotated = run(spec, true);
    double worst = 0;
    for (size_t i = 0; i < 9; ++i) worst = std::max(worst, std::abs(plain.a[i] - rotated.a[i]));
    return worst;
  };
  EXPECT_LT(gap("soap:lr=0.02,eps=1e-3,precondition_frequency=5"), 1e-4);
  EXPECT_GT(gap("adam:lr=0.02"), 1e-3);
}

// A tensor of 3 dimensions has a statistic and a basis per dimension; one of size 1 has a 1 x 1
// basis (+-1) and changes nothing: [3, 1, 4] and [1, 3, 4] step as the [3, 4] matrix, through the
// rotations along a middle dimension (outer and inner sizes above 1) that a matrix never takes.
TEST(Soap, DimensionsOfSizeOneChangeNothing) {
  const Problem pr = quadratic();
  auto run = [&](const Shape& shape) {
    Tensor p = Tensor::from(shape, std::vector<float>(pr.init[0].begin(), pr.init[0].end()))
                   .requires_grad_();
    auto opt = make_optimizer("soap:lr=0.01,eps=1e-3,precondition_frequency=3", {p});
    for (int s = 0; s < 20; ++s) {
      opt->zero_grad();
      pr.loss({reshape(p, {3, 4})}).backward();
      opt->step();
    }
    return p.to_vector();
  };
  const std::vector<float> matrix = run({3, 4});
  EXPECT_NE(matrix, std::vector<float>(pr.init[0].begin(), pr.init[0].end()));
  for (const Shape& shape : {Shape{3, 1, 4}, Shape{1, 3, 4}}) {
    const std::vector<float> got = run(shape);
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], matrix[i], 1e-6) << to_string(shape) << " entry " << i;
  }
}

// merge_dims as the reference: running products up to max_precond_dim; a dimension longer than
// it on its own stays (unpreconditioned).
TEST(Soap, MergeDimsFollowsTheReference) {
  EXPECT_EQ(Soap::merged_shape({8, 3, 3, 3}, 30), (Shape{24, 9}));
  EXPECT_EQ(Soap::merged_shape({64, 3, 3}, 100), (Shape{64, 9}));
  EXPECT_EQ(Soap::merged_shape({200, 3}, 100), (Shape{200, 3}));
  EXPECT_EQ(Soap::merged_shape({1, 1}, 100), (Shape{1}));
}

}  // namespace test_optim_shampoo_soap
}  // namespace descent
