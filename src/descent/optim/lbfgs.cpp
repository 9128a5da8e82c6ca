#include "descent/optim/lbfgs.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace descent {
namespace {

// A number as torch 1.13's LBFGS holds it: a Python float (double) or a 0-dim float32 tensor.
// Arithmetic or comparison involving a tensor happens in float32 (a Python scalar does not
// promote a tensor's dtype), otherwise in double. Mirroring this keeps the line search's
// branches on PyTorch's side of every comparison.
struct Num {
  double v = 0;
  bool f32 = false;
};

Num py(double v) { return {v, false}; }
Num ten(float v) { return {v, true}; }

template <class Op>
Num apply(Num a, Num b, Op op) {
  if (a.f32 || b.f32) return ten(op(static_cast<float>(a.v), static_cast<float>(b.v)));
  return py(op(a.v, b.v));
}
Num operator+(Num a, Num b) {
  return apply(a, b, [](auto x, auto y) { return x + y; });
}
Num operator-(Num a, Num b) {
  return apply(a, b, [](auto x, auto y) { return x - y; });
}
Num operator*(Num a, Num b) {
  return apply(a, b, [](auto x, auto y) { return x * y; });
}
Num operator/(Num a, Num b) {
  return apply(a, b, [](auto x, auto y) { return x / y; });
}
Num operator-(Num a) { return {-a.v, a.f32}; }
Num abs(Num a) { return {std::fabs(a.v), a.f32}; }
Num sqrt(Num a) { return a.f32 ? ten(std::sqrt(static_cast<float>(a.v))) : py(std::sqrt(a.v)); }

template <class Op>
bool compare(Num a, Num b, Op op) {
  if (a.f32 || b.f32) return op(static_cast<float>(a.v), static_cast<float>(b.v));
  return op(a.v, b.v);
}
bool operator<(Num a, Num b) {
  return compare(a, b, [](auto x, auto y) { return x < y; });
}
bool operator<=(Num a, Num b) {
  return compare(a, b, [](auto x, auto y) { return x <= y; });
}
bool operator>(Num a, Num b) { return b < a; }
bool operator>=(Num a, Num b) { return b <= a; }
// Python's min(a, b) and max(a, b): the first argument unless the second is strictly beyond.
Num pmin(Num a, Num b) { return b < a ? b : a; }
Num pmax(Num a, Num b) { return b > a ? b : a; }

// Dot product as torch computes it: at::dot calls BLAS sdot, and descent links the same
// OpenBLAS, so the values agree bit for bit (L-BFGS amplifies a last-bit difference here into
// 1e-5 after a dozen steps). A float32 0-dim tensor in torch.
Num dot(const float* a, const float* b, size_t n) {
  return ten(cblas_sdot(static_cast<int>(n), a, 1, b, 1));
}
Num dot(const std::vector<float>& a, const std::vector<float>& b) {
  return dot(a.data(), b.data(), a.size());
}

// sum |v| in torch 1.13's summation order (SumKernel.cpp's cascade_sum on AVX2: 8-lane
// vectors in 4 interleaved accumulators, the scalar tail, then the lanes in order). Only the
// first step length min(1, 1 / sum|g|) lr uses it.
float torch_abs_sum(const std::vector<float>& v) {
  constexpr int64_t kLanes = 8, kIlp = 4;
  const int64_t n = static_cast<int64_t>(v.size());
  const bool vectorized = n >= kLanes;
  const int64_t width = vectorized ? kLanes : 1;  // elements per "load"
  const int64_t loads = n / width;
  // row_sum/multi_row_sum: accumulator k sums loads k, k + 4, ...; the leftovers go to 0.
  // (The cascade levels only matter beyond 16 groups of 4 loads; they are followed here.)
  float acc[4][kIlp][kLanes] = {};
  const int64_t groups = loads / kIlp;
  int64_t level_power = 4;
  {
    int64_t log2 = 0;
    while ((int64_t{1} << log2) < groups) ++log2;
    level_power = std::max<int64_t>(4, log2 / 4);
  }
  const int64_t level_step = int64_t{1} << level_power, level_mask = level_step - 1;
  auto load_add = [&](float* dst, int64_t load_index) {
    for (int64_t l = 0; l < width; ++l) dst[l] += std::fabs(v[load_index * width + l]);
  };
  int64_t i = 0;
  while (i + level_step <= groups) {
    for (int64_t j = 0; j < level_step; ++j, ++i)
      for (int64_t k = 0; k < kIlp; ++k) load_add(acc[0][k], i * kIlp + k);
    for (int64_t j = 1; j < 4; ++j) {
      for (int64_t k = 0; k < kIlp; ++k)
        for (int64_t l = 0; l < width; ++l) {
          acc[j][k][l] += acc[j - 1][k][l];
          acc[j - 1][k][l] = 0;
        }
      if ((i & (level_mask << (j * level_power))) != 0) break;
    }
  }
  for (; i < groups; ++i)
    for (int64_t k = 0; k < kIlp; ++k) load_add(acc[0][k], i * kIlp + k);
  for (int64_t j = 1; j < 4; ++j)
    for (int64_t k = 0; k < kIlp; ++k)
      for (int64_t l = 0; l < width; ++l) acc[0][k][l] += acc[j][k][l];
  for (int64_t r = groups * kIlp; r < loads; ++r) load_add(acc[0][0], r);
  for (int64_t k = 1; k < kIlp; ++k)
    for (int64_t l = 0; l < width; ++l) acc[0][0][l] += acc[0][k][l];
  if (!vectorized) return acc[0][0][0];
  float total = 0;
  for (int64_t r = loads * width; r < n; ++r) total += std::fabs(v[r]);
  for (int64_t l = 0; l < kLanes; ++l) total += acc[0][0][l];
  return total;
}

float abs_max(const std::vector<float>& v) {
  float m = 0;
  for (float x : v) m = std::max(m, std::fabs(x));
  return m;
}

// torch.optim.lbfgs._cubic_interpolate.
Num cubic_interpolate(Num x1, Num f1, Num g1, Num x2, Num f2, Num g2, const Num* bounds) {
  Num xmin_bound, xmax_bound;
  if (bounds) {
    xmin_bound = bounds[0];
    xmax_bound = bounds[1];
  } else if (x1 <= x2) {
    xmin_bound = x1;
    xmax_bound = x2;
  } else {
    xmin_bound = x2;
    xmax_bound = x1;
  }
  const Num d1 = g1 + g2 - py(3) * (f1 - f2) / (x1 - x2);
  const Num d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= py(0)) {
    const Num d2 = sqrt(d2_square);
    Num min_pos;
    if (x1 <= x2)
      min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + py(2) * d2));
    else
      min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + py(2) * d2));
    return pmin(pmax(min_pos, xmin_bound), xmax_bound);
  }
  return (xmin_bound + xmax_bound) / py(2);
}

struct LineSearchResult {
  Num f;
  std::vector<float> g;
  Num t;
  int evals = 0;
};

// torch.optim.lbfgs._strong_wolfe. obj(t, g_out) evaluates f at x + t d and its gradient.
template <class Obj>
LineSearchResult strong_wolfe(Obj&& obj, Num t, const std::vector<float>& d, Num f,
                              const std::vector<float>& g, Num gtd, double tolerance_change) {
  const Num c1 = py(1e-4), c2 = py(0.9);
  constexpr int max_ls = 25;
  const Num d_norm = ten(abs_max(d));
  std::vector<float> g_new;
  Num f_new = obj(t, g_new);
  int ls_func_evals = 1;
  Num gtd_new = dot(g_new, d);

  Num t_prev = py(0), f_prev = f, gtd_prev = gtd;
  std::vector<float> g_prev = g;
  bool done = false;
  int ls_iter = 0;
  Num bracket[2], bracket_f[2], bracket_gtd[2];
  std::vector<float> bracket_g[2];
  int bracket_size = 0;
  auto bracket_previous_and_new = [&] {  // the interval [t_prev, t]
    bracket_size = 2;
    bracket[0] = t_prev, bracket[1] = t;
    bracket_f[0] = f_prev, bracket_f[1] = f_new;
    bracket_g[0] = g_prev, bracket_g[1] = g_new;
    bracket_gtd[0] = gtd_prev, bracket_gtd[1] = gtd_new;
  };
  while (ls_iter < max_ls) {
    if (f_new > (f + c1 * t * gtd) || (ls_iter > 1 && f_new >= f_prev)) {
      bracket_previous_and_new();
      break;
    }
    if (abs(gtd_new) <= -c2 * gtd) {
      bracket_size = 1;
      bracket[0] = t;
      bracket_f[0] = f_new;
      bracket_g[0] = g_new;
      done = true;
      break;
    }
    if (gtd_new >= py(0)) {
      bracket_previous_and_new();
      break;
    }
    const Num min_step = t + py(0.01) * (t - t_prev);
    const Num max_step = t * py(10);
    const Num tmp = t;
    const Num bounds[2] = {min_step, max_step};
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds);
    t_prev = tmp;
    f_prev = f_new;
    g_prev = g_new;
    gtd_prev = gtd_new;
    f_new = obj(t, g_new);
    ++ls_func_evals;
    gtd_new = dot(g_new, d);
    ++ls_iter;
  }
  if (ls_iter == max_ls) {
    bracket_size = 2;
    bracket[0] = py(0), bracket[1] = t;
    bracket_f[0] = f, bracket_f[1] = f_new;
    bracket_g[0] = g, bracket_g[1] = g_new;
  }

  // Zoom: refine the bracket until a point satisfies the strong Wolfe conditions.
  bool insuf_progress = false;
  auto last_f = [&] { return bracket_f[bracket_size - 1]; };
  int low_pos = bracket_f[0] <= last_f() ? 0 : 1, high_pos = 1 - low_pos;
  while (!done && ls_iter < max_ls) {
    if (abs(bracket[1] - bracket[0]) * d_norm < py(tolerance_change)) break;
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1],
                          bracket_gtd[1], nullptr);
    const Num bmax = pmax(bracket[0], bracket[1]), bmin = pmin(bracket[0], bracket[1]);
    const Num eps = py(0.1) * (bmax - bmin);
    if (pmin(bmax - t, t - bmin) < eps) {
      if (insuf_progress || t >= bmax || t <= bmin) {
        t = abs(t - bmax) < abs(t - bmin) ? bmax - eps : bmin + eps;
        insuf_progress = false;
      } else {
        insuf_progress = true;
      }
    } else {
      insuf_progress = false;
    }
    f_new = obj(t, g_new);
    ++ls_func_evals;
    gtd_new = dot(g_new, d);
    ++ls_iter;
    if (f_new > (f + c1 * t * gtd) || f_new >= bracket_f[low_pos]) {
      bracket[high_pos] = t;
      bracket_f[high_pos] = f_new;
      bracket_g[high_pos] = g_new;
      bracket_gtd[high_pos] = gtd_new;
      low_pos = bracket_f[0] <= bracket_f[1] ? 0 : 1;
      high_pos = 1 - low_pos;
    } else {
      if (abs(gtd_new) <= -c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high_pos] - bracket[low_pos]) >= py(0)) {
        bracket[high_pos] = bracket[low_pos];
        bracket_f[high_pos] = bracket_f[low_pos];
        bracket_g[high_pos] = bracket_g[low_pos];
        bracket_gtd[high_pos] = bracket_gtd[low_pos];
      }
      bracket[low_pos] = t;
      bracket_f[low_pos] = f_new;
      bracket_g[low_pos] = g_new;
      bracket_gtd[low_pos] = gtd_new;
    }
  }
  return {bracket_f[low_pos], std::move(bracket_g[low_pos]), bracket[low_pos], ls_func_evals};
}

const HyperparamDef& line_search_def() {
  static const HyperparamDef def = choice("line_search_fn", {"none", "strong_wolfe"}, "none");
  return def;
}

struct LBFGSOptions {
  double lr;
  int64_t max_iter, max_eval;  // max_eval resolved: 0 (torch's None) is max_iter * 5 / 4
  double tolerance_grad, tolerance_change;
  size_t history_size;
  bool strong_wolfe;

  static LBFGSOptions from(const ParamGroup& group) {
    const auto max_iter = static_cast<int64_t>(group.get("max_iter"));
    const double max_eval = group.get("max_eval");
    return {group.get("lr"),
            max_iter,
            max_eval > 0 ? static_cast<int64_t>(max_eval) : max_iter * 5 / 4,
            group.get("tolerance_grad"),
            group.get("tolerance_change"),
            static_cast<size_t>(group.get("history_size")),
            group.choice<bool>(line_search_def(), {{"none", false}, {"strong_wolfe", true}})};
  }
};

}  // namespace

std::vector<HyperparamDef> LBFGS::hyperparams() {
  return {non_negative("lr", 1.0),
          integer("max_iter", 20, 1),
          integer("max_eval", 0, 0),
          non_negative("tolerance_grad", 1e-7),
          non_negative("tolerance_change", 1e-9),
          integer("history_size", 100, 1),
          line_search_def()};
}

LBFGS::LBFGS(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("lbfgs", hyperparams(), defaults, std::move(groups)) {
  // The state is one flat vector over all parameters, so there is one set of hyper-parameters.
  if (param_groups().size() != 1)
    throw std::invalid_argument("lbfgs: needs exactly one parameter group (got " +
                                std::to_string(param_groups().size()) + ")");
  const ParamGroup& g = param_groups()[0];
  if (g.params.empty()) throw std::invalid_argument("lbfgs: no parameters");
  for (const char* key : {"max_iter", "max_eval", "history_size"})
    if (g.get(key) != std::floor(g.get(key)))
      throw std::invalid_argument(std::string("lbfgs: ") + key + " must be an integer");
}

int64_t LBFGS::numel() const {
  int64_t n = 0;
  for (const auto& p : param_groups()[0].params) n += p.numel();
  return n;
}

void LBFGS::gather_flat_grad(std::vector<float>& out) {
  out.resize(static_cast<size_t>(numel()));
  size_t offset = 0;
  for (auto& p : param_groups()[0].params) {
    const size_t n = static_cast<size_t>(p.numel());
    if (p.has_grad()) {
      const float* g = p.grad_data();
      std::copy(g, g + n, out.begin() + offset);
    } else {
      std::fill(out.begin() + offset, out.begin() + offset + n, 0.0f);  // as torch: zeros
    }
    offset += n;
  }
}

void LBFGS::add_to_params(float t, const std::vector<float>& d) {
  size_t offset = 0;
  for (auto& p : param_groups()[0].params) {
    float* x = p.data();
    const int64_t n = p.numel();
    for (int64_t i = 0; i < n; ++i) x[i] += t * d[offset + i];
    offset += static_cast<size_t>(n);
  }
}

void LBFGS::copy_params(std::vector<float>& out) const {
  out.clear();
  for (const auto& p : param_groups()[0].params)
    out.insert(out.end(), p.data(), p.data() + p.numel());
}

void LBFGS::set_params(const std::vector<float>& x) {
  size_t offset = 0;
  for (auto& p : param_groups()[0].params) {
    std::copy(x.begin() + offset, x.begin() + offset + p.numel(), p.data());
    offset += static_cast<size_t>(p.numel());
  }
}

void LBFGS::update(const ParamGroup&, Tensor&, const float*, ParamState&) {
  // Never called: step() does the work, over the flat vector of all parameters.
}

std::optional<float> LBFGS::step(const Closure& closure) {
  if (!closure)
    throw std::invalid_argument(
        "lbfgs: step() needs a closure that re-evaluates the loss and its gradients");
  // The global state lives on the first parameter (as in torch), so that state_dict() saves it.
  ParamState* first_state = nullptr;
  for_each_param(
      [&](const ParamGroup&, Tensor&, ParamState& s) {
        if (!first_state) first_state = &s;
      },
      Visit::All);
  ParamState& state = *first_state;
  const LBFGSOptions o = LBFGSOptions::from(param_groups()[0]);
  const Num tolerance_grad = py(o.tolerance_grad);
  const size_t n = static_cast<size_t>(numel());

  auto& sc = state.scalars;
  sc.emplace("func_evals", 0.0);
  sc.emplace("n_iter", 0.0);

  const float orig_loss = closure();
  Num loss = py(orig_loss);
  int64_t current_evals = 1;
  sc["func_evals"] += 1;

  std::vector<float> flat_grad;
  gather_flat_grad(flat_grad);
  bool opt_cond = ten(abs_max(flat_grad)) <= tolerance_grad;
  if (opt_cond) return orig_loss;

  // The saved state, as local variables (torch's state.get(...)).
  Tensor d_t = state.has("d") ? state.buffers.at("d") : Tensor();
  std::vector<float> d(n), prev_flat_grad;
  if (d_t.defined()) std::copy(d_t.data(), d_t.data() + n, d.begin());
  if (state.has("prev_flat_grad")) {
    const Tensor& pg = state.buffers.at("prev_flat_grad");
    prev_flat_grad.assign(pg.data(), pg.data() + n);
  }
  Num t = py(sc.count("t") ? sc["t"] : 0.0);
  Num H_diag = sc.count("H_diag") ? ten(static_cast<float>(sc["H_diag"])) : py(1);
  Num prev_loss = py(sc.count("prev_loss") ? sc["prev_loss"] : 0.0);
  std::vector<Tensor> old_dirs, old_stps;
  std::vector<float> ro;
  const size_t stored = sc.count("history") ? static_cast<size_t>(sc["history"]) : 0;
  for (size_t i = 0; i < stored; ++i) {
    old_dirs.push_back(state.buffers.at("old_dirs." + std::to_string(i)));
    old_stps.push_back(state.buffers.at("old_stps." + std::to_string(i)));
    ro.push_back(static_cast<float>(sc.at("ro." + std::to_string(i))));
  }
  std::vector<float> al(o.history_size);
  std::vector<float> x_init;

  int64_t n_iter = 0;
  while (n_iter < o.max_iter) {
    ++n_iter;
    sc["n_iter"] += 1;

    // Direction.
    if (sc["n_iter"] == 1) {
      for (size_t i = 0; i < n; ++i) d[i] = -flat_grad[i];
      old_dirs.clear();
      old_stps.clear();
      ro.clear();
      H_diag = py(1);
    } else {
      // y = g - g_prev and s = t d, written straight into new history tensors.
      Tensor y_t = Tensor::empty({static_cast<int64_t>(n)});
      Tensor s_t = Tensor::empty({static_cast<int64_t>(n)});
      float* y = y_t.data();
      float* s = s_t.data();
      const float tf = static_cast<float>(t.v);
      for (size_t i = 0; i < n; ++i) {
        y[i] = flat_grad[i] - prev_flat_grad[i];
        s[i] = d[i] * tf;
      }
      const Num ys = dot(y, s, n);
      if (ys > py(1e-10)) {
        if (old_dirs.size() == o.history_size) {
          old_dirs.erase(old_dirs.begin());
          old_stps.erase(old_stps.begin());
          ro.erase(ro.begin());
        }
        old_dirs.push_back(y_t);
        old_stps.push_back(s_t);
        ro.push_back(static_cast<float>((py(1.0) / ys).v));
        H_diag = ys / dot(y, y, n);
      }
      // Two-loop recursion, in d (torch's q, then r).
      const size_t num_old = old_dirs.size();
      for (size_t i = 0; i < n; ++i) d[i] = -flat_grad[i];
      for (size_t k = num_old; k-- > 0;) {
        al[k] = static_cast<float>((dot(old_stps[k].data(), d.data(), n) * ten(ro[k])).v);
        const float a = -al[k];
        const float* yk = old_dirs[k].data();
        for (size_t i = 0; i < n; ++i) d[i] += a * yk[i];
      }
      if (H_diag.f32) {
        const float h = static_cast<float>(H_diag.v);
        for (size_t i = 0; i < n; ++i) d[i] *= h;
      }
      for (size_t k = 0; k < num_old; ++k) {
        const Num be = dot(old_dirs[k].data(), d.data(), n) * ten(ro[k]);
        const float a = static_cast<float>((ten(al[k]) - be).v);
        const float* sk = old_stps[k].data();
        for (size_t i = 0; i < n; ++i) d[i] += a * sk[i];
      }
    }
    prev_flat_grad = flat_grad;
    prev_loss = loss;

    // Step length.
    if (sc["n_iter"] == 1) {
      t = pmin(py(1.0), ten(1.0f / torch_abs_sum(flat_grad))) * py(o.lr);
    } else {
      t = py(o.lr);
    }
    const Num gtd = dot(flat_grad, d);
    if (gtd > py(-o.tolerance_change)) break;

    int ls_func_evals = 0;
    if (o.strong_wolfe) {
      copy_params(x_init);
      auto obj = [&](Num step, std::vector<float>& g_out) {
        add_to_params(static_cast<float>(step.v), d);
        const float f = closure();
        gather_flat_grad(g_out);
        set_params(x_init);
        return py(f);
      };
      LineSearchResult r = strong_wolfe(obj, t, d, loss, flat_grad, gtd, o.tolerance_change);
      loss = r.f;
      flat_grad = std::move(r.g);
      t = r.t;
      ls_func_evals = r.evals;
      add_to_params(static_cast<float>(t.v), d);
      opt_cond = ten(abs_max(flat_grad)) <= tolerance_grad;
    } else {
      add_to_params(static_cast<float>(t.v), d);
      if (n_iter != o.max_iter) {
        // Not on the last iteration: in a stochastic setting the evaluation would be wasted.
        loss = py(closure());
        gather_flat_grad(flat_grad);
        opt_cond = ten(abs_max(flat_grad)) <= tolerance_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    sc["func_evals"] += ls_func_evals;

    if (n_iter == o.max_iter) break;
    if (current_evals >= o.max_eval) break;
    if (opt_cond) break;
    const float tf = static_cast<float>(t.v);
    float step_max = 0;
    for (size_t i = 0; i < n; ++i) step_max = std::max(step_max, std::fabs(d[i] * tf));
    if (ten(step_max) <= py(o.tolerance_change)) break;
    if (abs(loss - prev_loss) < py(o.tolerance_change)) break;
  }

  // Save the state (torch's state['d'] = d, ...).
  auto put = [&](const std::string& name, const std::vector<float>& v) {
    Tensor& b = state.buffers[name];
    if (!b.defined() || b.numel() != static_cast<int64_t>(n))
      b = Tensor::empty({static_cast<int64_t>(n)});
    std::copy(v.begin(), v.end(), b.data());
  };
  put("d", d);
  put("prev_flat_grad", prev_flat_grad);
  sc["t"] = t.v;
  sc["H_diag"] = H_diag.v;
  sc["prev_loss"] = prev_loss.v;
  for (size_t i = 0; i < stored; ++i) {
    state.buffers.erase("old_dirs." + std::to_string(i));
    state.buffers.erase("old_stps." + std::to_string(i));
    sc.erase("ro." + std::to_string(i));
  }
  for (size_t i = 0; i < old_dirs.size(); ++i) {
    state.buffers["old_dirs." + std::to_string(i)] = old_dirs[i];
    state.buffers["old_stps." + std::to_string(i)] = old_stps[i];
    sc["ro." + std::to_string(i)] = ro[i];
  }
  sc["history"] = static_cast<double>(old_dirs.size());
  return orig_loss;
}

ParamState LBFGS::expected_state(const ParamGroup& group, const Tensor&, size_t index,
                                 const ParamState& saved) {
  ParamState expected;
  if (index > 0) return expected;
  expected.scalars = {{"func_evals", 0}, {"n_iter", 0}};
  // A first step that found the gradient small enough stops before choosing a direction.
  if (!saved.has("d") && !saved.scalars.count("t")) return expected;
  const Tensor flat = Tensor::empty({numel()});
  for (const char* name : {"t", "H_diag", "prev_loss", "history"}) expected.scalars[name] = 0;
  expected.buffers["d"] = flat;
  expected.buffers["prev_flat_grad"] = flat;
  const auto it = saved.scalars.find("history");
  const double history = it == saved.scalars.end() ? 0 : it->second;
  const double most = group.get("history_size");
  if (!(history >= 0 && history <= most && history == std::floor(history)))
    throw std::invalid_argument("optimizer state: parameter 0's history is " +
                                std::to_string(history) + ", expected a whole number from 0 to " +
                                "history_size = " + std::to_string(static_cast<int64_t>(most)));
  for (int64_t i = 0; i < static_cast<int64_t>(history); ++i) {
    expected.buffers["old_dirs." + std::to_string(i)] = flat;
    expected.buffers["old_stps." + std::to_string(i)] = flat;
    expected.scalars["ro." + std::to_string(i)] = 0;
  }
  return expected;
}

}  // namespace descent
