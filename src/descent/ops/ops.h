#pragma once
// Differentiable ops on tensors. Each op computes its result and, when a gradient is needed,
// records its backward rule next to the forward code (see descent/autograd/record.h).
// Binary ops broadcast as NumPy/PyTorch do (trailing dimensions aligned, size-1 dims stretched).
#include <optional>

#include "descent/tensor/tensor.h"

namespace descent {

// Elementwise arithmetic with broadcasting.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);

// Scalar ops.
Tensor add_scalar(const Tensor& x, float s);
Tensor mul_scalar(const Tensor& x, float s);
Tensor rsub_scalar(const Tensor& x, float s);  // s - x
Tensor rdiv_scalar(const Tensor& x, float s);  // s / x
Tensor pow(const Tensor& x, float exponent);

// Elementwise math.
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);  // gradient 0 at 0, as PyTorch
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);

// Activations: the named forms of the activation table's entries (ops/activation.h, formulas in
// ops/activation_table.cpp). Arguments left out take the table's defaults, which are PyTorch's.
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);  // gradient 0 at 0, as PyTorch
Tensor elu(const Tensor& x);
Tensor elu(const Tensor& x, float alpha);
Tensor leaky_relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, float negative_slope);
Tensor softplus(const Tensor& x);
Tensor softplus(const Tensor& x, float beta);
Tensor softplus(const Tensor& x, float beta, float threshold);

// Reductions. An axis may be negative (counted from the end).
Tensor sum(const Tensor& x);  // all elements, shape []
Tensor sum(const Tensor& x, int64_t axis, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, int64_t axis, bool keepdim = false);
Tensor max(const Tensor& x);  // gradient flows to the first maximal element
Tensor max(const Tensor& x, int64_t axis, bool keepdim = false);

Tensor softmax(const Tensor& x, int64_t axis = -1);
Tensor log_softmax(const Tensor& x, int64_t axis = -1);

// Linear algebra.
Tensor matmul(const Tensor& a, const Tensor& b);  // [m,k] @ [k,n] -> [m,n]
// x [n, in], weight [out, in], bias [out] or undefined: x weight^T + bias (one GEMM).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);
// The CBLAS call under every product: C[m,n] = op(A) op(B) + beta C, row-major and contiguous
// (op transposes where asked). Public for `descent bench gemms`, which times it alone.
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
           const float* b, float beta, float* c);
// From now on, the seconds of every sgemm this thread runs are added to *total (null: none are
// timed); returns the previous target. For train.profile's "gemm" (train/step_seconds.h).
double* time_gemms_into(double* total);

// Shape ops.
Tensor reshape(const Tensor& x, Shape shape);  // one size may be -1; shares data
Tensor transpose(const Tensor& x, int64_t dim0 = -2, int64_t dim1 = -1);  // copies

// Operators.
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& x, float s) { return add_scalar(x, s); }
inline Tensor operator+(float s, const Tensor& x) { return add_scalar(x, s); }
inline Tensor operator-(const Tensor& x, float s) { return add_scalar(x, -s); }
inline Tensor operator-(float s, const Tensor& x) { return rsub_scalar(x, s); }
inline Tensor operator*(const Tensor& x, float s) { return mul_scalar(x, s); }
inline Tensor operator*(float s, const Tensor& x) { return mul_scalar(x, s); }
inline Tensor operator/(const Tensor& x, float s) { return mul_scalar(x, 1.0f / s); }
inline Tensor operator/(float s, const Tensor& x) { return rdiv_scalar(x, s); }

// Normalizes a possibly negative axis for a tensor of rank `dim`; throws naming the op.
int64_t normalize_axis(int64_t axis, int64_t dim, const char* op);

}  // namespace descent
