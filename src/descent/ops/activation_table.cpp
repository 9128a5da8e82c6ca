// The activation table (ops/activation.h). Each activation is one struct: its SPEC name, module
// name and SPEC arguments, then y = f(x), f'(x) given y, and f''(x) given y and dy = f'(x). The
// formulas are templates, so the float op and the double Hessian-vector product share them; a[i]
// is the i-th argument. Where an op may use x or y for its derivative it uses the cheaper one.
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "descent/ops/activation.h"
#include "descent/ops/ops.h"
#include "descent/ops/unary_op.h"
#include "descent/ops/vector_math.h"

namespace descent {
namespace {

using NoParams = std::array<ActivationParam, 0>;

struct Relu {
  static constexpr const char* name = "relu";
  static constexpr const char* module_name = "ReLU";
  static constexpr NoParams params{};
  // NaN passes through, as in PyTorch: NaN weights must show, not turn into zeros.
  template <class T>
  static T f(T x, const float*) {
    return x <= 0 ? T(0) : x;
  }
  // 0 at 0, and 1 at NaN, as PyTorch.
  template <class T>
  static T df(T x, T, const float*) {
    return x <= 0 ? T(0) : T(1);
  }
  template <class T>
  static T d2f(T, T, T, const float*) {
    return 0;
  }
};

struct Sigmoid {
  static constexpr const char* name = "sigmoid";
  static constexpr const char* module_name = "Sigmoid";
  static constexpr NoParams params{};
  // Split by sign so that exp never overflows; floats through the vectorized form
  // (vector_math.h), doubles (the exact Hessian) through libm.
  template <class T>
  static T f(T x, const float*) {
    if constexpr (std::is_same_v<T, float>) {
      return sigmoid_float(x);
    } else {
      if (x >= 0) return 1 / (1 + std::exp(-x));
      const T e = std::exp(x);
      return e / (1 + e);
    }
  }
  template <class T>
  static T df(T, T y, const float*) {
    return y * (1 - y);
  }
  template <class T>
  static T d2f(T, T y, T dy, const float*) {
    return dy * (1 - 2 * y);
  }
};

struct Tanh {
  static constexpr const char* name = "tanh";
  static constexpr const char* module_name = "Tanh";
  static constexpr NoParams params{};
  // Floats through the vectorized tanh (vector_math.h); doubles (the exact Hessian) through libm.
  template <class T>
  static T f(T x, const float*) {
    if constexpr (std::is_same_v<T, float>)
      return tanh_float(x);
    else
      return std::tanh(x);
  }
  template <class T>
  static T df(T, T y, const float*) {
    return 1 - y * y;
  }
  template <class T>
  static T d2f(T, T y, T dy, const float*) {
    return -2 * y * dy;
  }
};

// alpha (e^x - 1) below 0; f' = f + alpha = f'' there.
struct Elu {
  static constexpr const char* name = "elu";
  static constexpr const char* module_name = "ELU";
  static constexpr std::array<ActivationParam, 1> params{{{"alpha", 1.0, true}}};
  template <class T>
  static T f(T x, const float* a) {
    return x > 0 ? x : a[0] * std::expm1(x);
  }
  template <class T>
  static T df(T x, T y, const float* a) {
    return x > 0 ? T(1) : y + a[0];
  }
  template <class T>
  static T d2f(T x, T, T dy, const float*) {
    return x > 0 ? T(0) : dy;
  }
};

struct LeakyRelu {
  static constexpr const char* name = "leaky_relu";
  static constexpr const char* module_name = "LeakyReLU";
  static constexpr std::array<ActivationParam, 1> params{{{"negative_slope", 0.01, true}}};
  template <class T>
  static T f(T x, const float* a) {
    return x > 0 ? x : a[0] * x;
  }
  template <class T>
  static T df(T x, T, const float* a) {
    return x > 0 ? T(1) : T(a[0]);
  }
  template <class T>
  static T d2f(T, T, T, const float*) {
    return 0;
  }
};

// PyTorch's: log(1 + exp(beta x)) / beta, and x itself where beta x > threshold. f' is
// sigmoid(beta x).
struct Softplus {
  static constexpr const char* name = "softplus";
  static constexpr const char* module_name = "Softplus";
  static constexpr std::array<ActivationParam, 2> params{
      {{"beta", 1.0, true}, {"threshold", 20.0, false}}};
  template <class T>
  static T f(T x, const float* a) {
    const T bx = a[0] * x;
    return bx > a[1] ? x : std::log1p(std::exp(bx)) / a[0];
  }
  template <class T>
  static T df(T x, T, const float* a) {
    const T bx = a[0] * x;
    if (bx > a[1]) return 1;
    const T e = std::exp(bx);
    return e / (1 + e);
  }
  template <class T>
  static T d2f(T x, T, T dy, const float* a) {
    return a[0] * x > a[1] ? T(0) : a[0] * dy * (1 - dy);
  }
};

// The float op: the formulas inline into unary_op's loops.
template <class A>
Tensor apply(const Tensor& x, const ActivationArgs& args) {
  const ActivationArgs a = args;
  return unary_op(
      x, A::name, [a](float v) { return A::f(v, a.data()); },
      [a](float v, float y) { return A::df(v, y, a.data()); });
}

template <class A>
constexpr ActivationEntry entry() {
  static_assert(A::params.size() <= kMaxActivationParams);
  return {A::name,
          A::module_name,
          A::params,
          &apply<A>,
          [](double x, const ActivationArgs& a) { return A::f(x, a.data()); },
          [](double x, double y, const ActivationArgs& a) { return A::df(x, y, a.data()); },
          [](double x, double y, double dy, const ActivationArgs& a) {
            return A::d2f(x, y, dy, a.data());
          }};
}

// In the order the SPEC parser lists them.
// x^2: a polynomial activation, for the universal approximation experiment. A network of
// polynomial activations is a polynomial of bounded degree however wide it is, so it cannot
// approximate every continuous function (the theorem holds iff the activation is not a polynomial).
struct Square {
  static constexpr const char* name = "square";
  static constexpr const char* module_name = "Square";
  static constexpr NoParams params{};
  template <class T>
  static T f(T x, const float*) {
    return x * x;
  }
  template <class T>
  static T df(T x, T, const float*) {
    return 2 * x;
  }
  template <class T>
  static T d2f(T, T, T, const float*) {
    return 2;
  }
};

const ActivationEntry kTable[] = {entry<Relu>(),  entry<Sigmoid>(),   entry<Tanh>(),
                                  entry<Elu>(),   entry<LeakyRelu>(), entry<Softplus>(),
                                  entry<Square>()};

// A named op of ops.h: the given arguments first, then the defaults.
template <class A>
Tensor named(const Tensor& x, std::initializer_list<float> args) {
  return apply<A>(x, activation_args(entry<A>(), args));
}

}  // namespace

std::span<const ActivationEntry> activation_table() { return kTable; }

const ActivationEntry* find_activation(std::string_view name) {
  for (const ActivationEntry& e : kTable)
    if (name == e.name) return &e;
  return nullptr;
}

ActivationArgs activation_args(const ActivationEntry& entry, std::initializer_list<float> leading) {
  if (leading.size() > entry.params.size())
    throw std::invalid_argument(std::string(entry.name) + " takes " +
                                std::to_string(entry.params.size()) + " arguments, got " +
                                std::to_string(leading.size()));
  ActivationArgs a{};
  for (size_t i = 0; i < entry.params.size(); ++i)
    a[i] = i < leading.size() ? leading.begin()[i] : static_cast<float>(entry.params[i].fallback);
  return a;
}

// The named ops of ops.h.
Tensor relu(const Tensor& x) { return named<Relu>(x, {}); }
Tensor sigmoid(const Tensor& x) { return named<Sigmoid>(x, {}); }
Tensor tanh(const Tensor& x) { return named<Tanh>(x, {}); }
Tensor elu(const Tensor& x) { return named<Elu>(x, {}); }
Tensor elu(const Tensor& x, float alpha) { return named<Elu>(x, {alpha}); }
Tensor leaky_relu(const Tensor& x) { return named<LeakyRelu>(x, {}); }
Tensor leaky_relu(const Tensor& x, float slope) { return named<LeakyRelu>(x, {slope}); }
Tensor softplus(const Tensor& x) { return named<Softplus>(x, {}); }
Tensor softplus(const Tensor& x, float beta) { return named<Softplus>(x, {beta}); }
Tensor softplus(const Tensor& x, float beta, float threshold) {
  return named<Softplus>(x, {beta, threshold});
}

}  // namespace descent
