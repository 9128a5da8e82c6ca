#include "descent/optim/weight_average.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

namespace descent {

WeightAverage::WeightAverage(std::vector<NamedTensor> params, double decay)
    : params_(std::move(params)), decay_(decay) {
  if (!(decay >= 0.0 && decay < 1.0)) {  // also rejects NaN
    std::ostringstream msg;
    msg << "weight average: decay must be in [0, 1), got " << decay;
    throw std::invalid_argument(msg.str());
  }
  averages_.reserve(params_.size());
  for (const NamedTensor& p : params_) averages_.push_back(p.tensor.clone());
}

void WeightAverage::update() {
  const float weight = static_cast<float>(1.0 - decay_);
  for (size_t k = 0; k < params_.size(); ++k) {
    const float* p = params_[k].tensor.data();
    float* avg = averages_[k].data();
    const int64_t n = averages_[k].numel();
    if (num_updates_ == 0) {
      std::copy_n(p, n, avg);
      continue;
    }
    // avg + (p - avg) * weight with the product rounded to float before the sum, as PyTorch's
    // one-op-per-kernel evaluation does. Written as one expression the compiler would fuse it into
    // an FMA and change the last bit; a block's products go through memory first, and both loops
    // still vectorize.
    constexpr int64_t kBlock = 256;
    float step[kBlock];
    for (int64_t b = 0; b < n; b += kBlock) {
      const int64_t m = std::min(kBlock, n - b);
      for (int64_t i = 0; i < m; ++i) step[i] = (p[b + i] - avg[b + i]) * weight;
      for (int64_t i = 0; i < m; ++i) avg[b + i] += step[i];
    }
  }
  ++num_updates_;
}

void WeightAverage::swap() {
  for (size_t k = 0; k < params_.size(); ++k) {
    Tensor live = params_[k].tensor;
    std::swap_ranges(live.data(), live.data() + live.numel(), averages_[k].data());
  }
}

std::vector<NamedTensor> WeightAverage::averaged() const {
  std::vector<NamedTensor> out;
  for (size_t k = 0; k < params_.size(); ++k) out.push_back({params_[k].name, averages_[k]});
  return out;
}

nlohmann::json WeightAverage::meta() const {
  return {{"decay", decay_}, {"num_updates", num_updates_}};
}

std::vector<NamedTensor> WeightAverage::state_tensors() const {
  std::vector<NamedTensor> out;
  for (size_t k = 0; k < params_.size(); ++k)
    out.push_back({"ema." + params_[k].name, averages_[k]});
  return out;
}

void WeightAverage::load_state(const nlohmann::json& meta,
                               const std::vector<NamedTensor>& tensors) {
  if (!meta.is_object() || !meta.contains("num_updates") ||
      !meta.at("num_updates").is_number_integer() || meta.at("num_updates").get<int64_t>() < 0)
    throw std::runtime_error("weight average state: meta needs a non-negative integer num_updates");
  std::map<std::string, const Tensor*> by_name;
  for (const NamedTensor& t : tensors)
    if (t.name.rfind("ema.", 0) == 0) by_name[t.name] = &t.tensor;
  // Check everything before changing anything.
  std::vector<const Tensor*> sources;
  for (size_t k = 0; k < params_.size(); ++k) {
    const std::string name = "ema." + params_[k].name;
    auto it = by_name.find(name);
    if (it == by_name.end())
      throw std::runtime_error("weight average state: missing tensor '" + name + "'");
    if (it->second->shape() != averages_[k].shape())
      throw std::runtime_error("weight average state: tensor '" + name + "' has shape " +
                               to_string(it->second->shape()) + ", the parameter has " +
                               to_string(averages_[k].shape()));
    sources.push_back(it->second);
    by_name.erase(it);
  }
  if (!by_name.empty())
    throw std::runtime_error("weight average state: unexpected tensor '" + by_name.begin()->first +
                             "' (no such parameter)");
  for (size_t k = 0; k < params_.size(); ++k) averages_[k].copy_from(*sources[k]);
  num_updates_ = meta.at("num_updates").get<int64_t>();
}

}  // namespace descent
