#pragma once
// Loss functions with PyTorch's semantics. Class targets are float tensors of shape [n] holding
// class indices (exact up to 2^24), so every target travels as a Tensor. docs/losses.md has every
// formula. The code is in nn/losses/: cross_entropy.cpp (and nll), binary_cross_entropy.cpp,
// kl_div.cpp, regression.cpp (mse, l1, smooth_l1, huber), margin.cpp (hinge_embedding,
// multi_margin); table.cpp holds the losses train.loss names (nn/loss_table.h).
//
// Each loss comes two ways, as in PyTorch:
//   - a function with PyTorch's defaults, like torch.nn.functional:   cross_entropy(logits, k)
//   - a struct named after PyTorch's module, holding its options, called like one:
//       CrossEntropyLoss{.weight = {1, 2, 1}, .label_smoothing = 0.1}(logits, k)
// The structs are LossFunctions. Options out of range throw std::invalid_argument naming them.
// Every member has an initializer, so designated initializers may leave any out (-Wextra).
//
// The functions, and the PyTorch module each matches (n examples, C classes):
//   mse_loss(y, t)              mean((y - t)^2)                                 MSELoss
//   cross_entropy(z, k)         -mean_i log_softmax(z_i)[k_i]                   CrossEntropyLoss
//   nll_loss(log_p, k)          -mean_i log_p_i[k_i]                            NLLLoss
//   binary_cross_entropy_with_logits(z, t)
//                               mean(max(z,0) - z t + log(1 + exp(-|z|)))       BCEWithLogitsLoss
//   l1_loss(y, t)               mean(|y - t|)                                   L1Loss
//   smooth_l1_loss(y, t, beta)  mean(0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta)
//   huber_loss(y, t, delta)     mean(0.5 d^2 if |d| <= delta else delta (|d| - 0.5 delta))
//   kl_div(log_q, p)            sum(p (log p - log_q)) / n                      KLDivLoss
//   hinge_embedding_loss(x, y)  mean(x if y = 1, max(0, 1 - x) if y = -1)       HingeEmbeddingLoss
//   multi_margin_loss(x, k)     mean_i sum_{j != k_i} max(0, 1 - x_ik + x_ij) / C   MultiMarginLoss
// (SmoothL1Loss and HuberLoss; with beta = delta = 1, the default, the two agree.)
#include <functional>
#include <string>
#include <vector>

#include "descent/tensor/tensor.h"

namespace descent {

// How the per-element (or per-example) losses become one number, as PyTorch's `reduction`.
// BatchMean (sum / batch size) is kl_div's alone; PyTorch's 'none' is not offered.
enum class Reduction { Mean, Sum, BatchMean };
const char* reduction_name(Reduction r);  // "mean", "sum", "batchmean"

struct MSELoss {
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& prediction, const Tensor& target) const;
};

struct L1Loss {
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& prediction, const Tensor& target) const;
};

struct SmoothL1Loss {
  double beta = 1.0;  // > 0
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& prediction, const Tensor& target) const;
};

struct HuberLoss {
  double delta = 1.0;  // > 0
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& prediction, const Tensor& target) const;
};

// Logits [n, classes] and class indices [n]. With weight w (one per class, >= 0) and label
// smoothing eps in [0, 1], example i with class k costs
//   (1 - eps) w_k (-log p_ik) + eps / classes * sum_c w_c (-log p_ic),
// and the mean divides the sum over examples by sum_i w_{k_i} (PyTorch's weighted mean).
struct CrossEntropyLoss {
  std::vector<double> weight = {};  // empty: all ones
  double label_smoothing = 0;
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& logits, const Tensor& target) const;
};

// Log-probabilities [n, classes] and class indices [n]: example i costs -w_k x_ik, and the mean
// divides by sum_i w_{k_i}, as cross_entropy's (which is nll after log_softmax, weights and all).
struct NLLLoss {
  std::vector<double> weight = {};  // one per class, >= 0; empty: all ones
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& log_probs, const Tensor& target) const;
};

// Logits and targets of one shape. pos_weight p (one number, or one per output, along the last
// dimension, each > 0) weighs the positive term: -[p t log s(z) + (1 - t) log(1 - s(z))].
struct BCEWithLogitsLoss {
  std::vector<double> pos_weight = {};  // empty: 1
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& logits, const Tensor& target) const;
};

// Input log-probabilities log q, target probabilities p (or log p with log_target) of one shape;
// each element costs p (log p - log q), 0 where p = 0. BatchMean divides the sum by the batch size
// (the first dimension): the true KL divergence of rows, which PyTorch recommends; its default,
// Mean, divides by every element. descent defaults to BatchMean. The target gets no gradient.
struct KLDivLoss {
  Reduction reduction = Reduction::BatchMean;
  bool log_target = false;
  Tensor operator()(const Tensor& log_probs, const Tensor& target) const;
};

// Inputs (usually distances) and targets of 1 or -1, one shape: x where y = 1,
// max(0, margin - x) where y = -1. Other targets are refused (PyTorch would add both terms).
struct HingeEmbeddingLoss {
  double margin = 1.0;
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& input, const Tensor& target) const;
};

// Scores [n, classes] and class indices [n]: example i with class k costs
//   sum_{j != k} w_k max(0, margin - x_ik + x_ij)^p / classes,   p = 1 or 2.
// The mean is over examples (not divided by the weights, unlike cross_entropy's).
struct MultiMarginLoss {
  int p = 1;
  double margin = 1.0;
  std::vector<double> weight = {};  // one per class; empty: all ones
  Reduction reduction = Reduction::Mean;
  Tensor operator()(const Tensor& scores, const Tensor& target) const;
};

// torch.nn.functional's spellings, with PyTorch's defaults (kl_div: BatchMean, see above).
Tensor mse_loss(const Tensor& prediction, const Tensor& target);
Tensor cross_entropy(const Tensor& logits, const Tensor& target);
Tensor nll_loss(const Tensor& log_probs, const Tensor& target);
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target);
Tensor l1_loss(const Tensor& prediction, const Tensor& target);
Tensor smooth_l1_loss(const Tensor& prediction, const Tensor& target, double beta = 1.0);
Tensor huber_loss(const Tensor& prediction, const Tensor& target, double delta = 1.0);
Tensor kl_div(const Tensor& log_probs, const Tensor& target);
Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target);
Tensor multi_margin_loss(const Tensor& scores, const Tensor& target);

// The regression losses that are a mean over elements of phi(d), d = prediction - target, with
// phi's first and second derivatives (for the exact Hessian, nn/hessian_vector.h): l1,
// smooth_l1 and huber at their defaults. nullptr for any other name.
struct ElementwiseLoss {
  const char* name;
  double (*phi)(double d);
  double (*dphi)(double d);
  double (*d2phi)(double d);
};
const ElementwiseLoss* elementwise_loss(const std::string& name);

// Class indices [n] as one-hot rows [n, classes] (no gradient).
Tensor one_hot(const Tensor& indices, int64_t classes);

using LossFunction = std::function<Tensor(const Tensor& output, const Tensor& target)>;

// The losses train.loss names, each with its options, as a SPEC: "cross_entropy",
// "cross_entropy:label_smoothing=0.1,weight=[1,2,1]". nn/loss_table.h has the table. Throws
// SpecError for an unknown name (listing the names), option or value.
LossFunction loss_by_name(const std::string& spec);
const std::vector<std::string>& loss_names();
// True when the loss takes class indices (so accuracy is meaningful); false for unknown names.
bool loss_is_classification(const std::string& spec);

}  // namespace descent
