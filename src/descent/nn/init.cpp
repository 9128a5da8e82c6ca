#include "descent/nn/init.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace descent {
namespace {

void fill_uniform(Tensor& t, double low, double high, Generator& gen) {
  for (float& v : t.values()) v = static_cast<float>(low + (high - low) * gen.uniform());
}

void fill_normal(Tensor& t, double mean, double std, Generator& gen) {
  for (float& v : t.values()) v = static_cast<float>(mean + std * gen.normal());
}

// Q of a rows x cols N(0,1) matrix by modified Gram-Schmidt (in double) on the taller side, which
// gives PyTorch's sign convention (positive diagonal of R).
void fill_orthogonal(Tensor& t, int64_t rows, int64_t cols, double gain, Generator& gen) {
  const bool transpose = rows < cols;
  const int64_t n = transpose ? cols : rows;          // vector length
  const int64_t k = transpose ? rows : cols;          // number of vectors
  std::vector<double> q(static_cast<size_t>(n * k));  // column j at q[j*n ...]
  std::vector<double> flat(static_cast<size_t>(rows * cols));
  for (double& v : flat) v = gen.normal();
  for (int64_t j = 0; j < k; ++j)
    for (int64_t i = 0; i < n; ++i)
      q[j * n + i] = transpose ? flat[j * cols + i] : flat[i * cols + j];
  for (int64_t j = 0; j < k; ++j) {
    double* qj = &q[j * n];
    for (int64_t p = 0; p < j; ++p) {
      const double* qp = &q[p * n];
      double dot = 0;
      for (int64_t i = 0; i < n; ++i) dot += qp[i] * qj[i];
      for (int64_t i = 0; i < n; ++i) qj[i] -= dot * qp[i];
    }
    double norm = 0;
    for (int64_t i = 0; i < n; ++i) norm += qj[i] * qj[i];
    norm = std::sqrt(norm);
    for (int64_t i = 0; i < n; ++i) qj[i] /= norm;
  }
  float* out = t.data();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[r * cols + c] = static_cast<float>(gain * (transpose ? q[r * n + c] : q[c * n + r]));
}

}  // namespace

const std::vector<std::string>& init_policy_names() {
  static const std::vector<std::string> names = {
      "default",        "zeros",          "constant",      "uniform",
      "normal",         "xavier_uniform", "xavier_normal", "kaiming_uniform",
      "kaiming_normal", "lecun_uniform",  "lecun_normal",  "orthogonal"};
  return names;
}

double calculate_gain(const std::string& nonlinearity, double param) {
  if (nonlinearity == "linear" || nonlinearity == "sigmoid") return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nonlinearity == "selu") return 0.75;
  throw UnknownNameError("unknown nonlinearity '" + nonlinearity +
                  "' (valid: linear, sigmoid, tanh, relu, leaky_relu, selu)");
}

InitSpec read_init_spec(SpecArgs& args, const std::string& key) {
  InitSpec s;
  s.policy = args.get_string(key, "default");
  const auto& names = init_policy_names();
  if (std::find(names.begin(), names.end(), s.policy) == names.end()) {
    std::string valid;
    for (auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
    throw SpecError(args.context() + ": " + key + "=" + s.policy +
                    " is not an initialization policy (valid: " + valid + ")");
  }
  // Only the arguments of the chosen policy are accepted, so a stray one is reported.
  const std::string& p = s.policy;
  if (p == "constant") s.value = args.get_double(key + "_value", 0.0);
  if (p == "uniform") {
    s.low = args.get_double(key + "_low", 0.0);
    s.high = args.get_double(key + "_high", 1.0);
  }
  if (p == "normal") {
    s.mean = args.get_double(key + "_mean", 0.0);
    s.std = args.get_double(key + "_std", 1.0);
  }
  if (p == "xavier_uniform" || p == "xavier_normal" || p == "orthogonal")
    s.gain = args.get_double(key + "_gain", 1.0);
  if (p == "kaiming_uniform" || p == "kaiming_normal") {
    s.a = args.get_double(key + "_a", 0.0);
    s.mode = args.get_string(key + "_mode", "fan_in");
    s.nonlinearity = args.get_string(key + "_nonlinearity", "leaky_relu");
    if (s.mode != "fan_in" && s.mode != "fan_out")
      throw SpecError(args.context() + ": " + key + "_mode=" + s.mode +
                      " is not valid (expected fan_in or fan_out)");
    calculate_gain(s.nonlinearity, s.a);  // validates the name
  }
  return s;
}

void init_weight(Tensor& w, const InitSpec& s, Generator& gen) {
  const int64_t fan_out = w.dim() >= 1 ? w.size(0) : 1;
  const int64_t fan_in = w.dim() >= 2 ? w.numel() / fan_out : 1;
  const std::string& p = s.policy;
  if (p == "default") {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    fill_uniform(w, -bound, bound, gen);
  } else if (p == "zeros") {
    std::fill_n(w.data(), w.numel(), 0.0f);
  } else if (p == "constant") {
    std::fill_n(w.data(), w.numel(), static_cast<float>(s.value));
  } else if (p == "uniform") {
    fill_uniform(w, s.low, s.high, gen);
  } else if (p == "normal") {
    fill_normal(w, s.mean, s.std, gen);
  } else if (p == "xavier_uniform") {
    const double bound = s.gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
    fill_uniform(w, -bound, bound, gen);
  } else if (p == "xavier_normal") {
    fill_normal(w, 0.0, s.gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)), gen);
  } else if (p == "kaiming_uniform" || p == "kaiming_normal") {
    const double fan = static_cast<double>(s.mode == "fan_in" ? fan_in : fan_out);
    const double std = calculate_gain(s.nonlinearity, s.a) / std::sqrt(fan);
    if (p == "kaiming_uniform")
      fill_uniform(w, -std::sqrt(3.0) * std, std::sqrt(3.0) * std, gen);
    else
      fill_normal(w, 0.0, std, gen);
  } else if (p == "lecun_uniform") {
    const double bound = std::sqrt(3.0 / static_cast<double>(fan_in));
    fill_uniform(w, -bound, bound, gen);
  } else if (p == "lecun_normal") {
    fill_normal(w, 0.0, 1.0 / std::sqrt(static_cast<double>(fan_in)), gen);
  } else if (p == "orthogonal") {
    fill_orthogonal(w, fan_out, fan_in, s.gain, gen);
  } else {
    throw std::invalid_argument("unknown initialization policy '" + p + "'");
  }
}

void init_bias(Tensor& b, int64_t fan_in, const InitSpec& s, Generator& gen) {
  if (s.policy == "default") {
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    fill_uniform(b, -bound, bound, gen);
  } else if (s.policy == "zeros" || s.policy == "constant" || s.policy == "uniform" ||
             s.policy == "normal") {
    init_weight(b, s, gen);
  } else {
    throw SpecError("bias initialization '" + s.policy +
                    "' is not valid (valid: default, zeros, constant, uniform, normal)");
  }
}

}  // namespace descent
