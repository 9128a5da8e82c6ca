#pragma once
// The terms autoencoders add to their reconstruction loss, each a scalar mean over the batch:
//   gaussian_kl(mu, logvar)     KL(N(mu, exp(logvar)) || N(0, I)) per example:
//                               -0.5 sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j))
//   l1_sparsity(h)              sum_j |h_j| per example
//   kl_sparsity(h, rho)         sum_j rho log(rho / r_j) + (1 - rho) log((1 - rho) / (1 - r_j)),
//                               r_j the mean of unit j over the batch (codes in (0, 1): sigmoid)
//   contractive_penalty(h, W)   ||dh/dx||_F^2 per example for a one-layer encoder
//                               h = s(x W^T + b): sum_j s'(a_j)^2 ||W_j||^2, with s' read off h
//                               (sigmoid h(1 - h), tanh 1 - h^2, relu [h > 0], identity 1)
#include <string>

#include "descent/tensor/tensor.h"

namespace descent {

Tensor gaussian_kl(const Tensor& mu, const Tensor& logvar);
Tensor l1_sparsity(const Tensor& code);
Tensor kl_sparsity(const Tensor& code, float rho);

// The activations whose derivative the contractive penalty reads off the code.
bool contractive_supports(const std::string& activation);  // sigmoid, tanh, relu, identity
Tensor contractive_penalty(const Tensor& code, const Tensor& weight, const std::string& activation);

}  // namespace descent
