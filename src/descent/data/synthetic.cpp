#include "descent/data/synthetic.h"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace descent {
namespace {

constexpr double kPi = std::numbers::pi;

double default_noise(const std::string& name) {
  if (name == "spirals") return 0.2;
  if (name == "circles") return 0.05;
  if (name == "blobs") return 1.0;
  return 0.1;
}

}  // namespace

const std::vector<std::string>& synthetic_dataset_names() {
  static const std::vector<std::string> names = {"spirals", "moons", "circles",
                                                 "blobs",   "xor",   "sine"};
  return names;
}

bool is_synthetic_dataset(const std::string& name) {
  for (const auto& n : synthetic_dataset_names())
    if (n == name) return true;
  return false;
}

Dataset make_synthetic_dataset(const std::string& name, const SyntheticOptions& o, Generator& gen) {
  if (!is_synthetic_dataset(name)) {
    std::string valid;
    for (const auto& n : synthetic_dataset_names()) valid += (valid.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown synthetic dataset '" + name + "' (valid: " + valid + ")");
  }
  if (o.size <= 0) throw std::invalid_argument(name + ": size must be positive");
  if ((name == "spirals" || name == "blobs") && o.classes < 2)
    throw std::invalid_argument(name + ": classes must be at least 2");
  const double noise = o.noise >= 0 ? o.noise : default_noise(name);
  const int64_t n = o.size;
  Dataset d;
  d.name = name;
  if (name == "sine") {
    d.inputs = Tensor::empty({n, 1});
    d.targets = Tensor::empty({n, 1});
    for (int64_t i = 0; i < n; ++i) {
      const double x = -kPi + 2 * kPi * gen.uniform();
      d.inputs.data()[i] = static_cast<float>(x);
      d.targets.data()[i] = static_cast<float>(std::sin(x) + noise * gen.normal());
    }
    return d;
  }
  d.inputs = Tensor::empty({n, 2});
  d.targets = Tensor::empty({n});
  float* x = d.inputs.data();
  float* y = d.targets.data();
  std::vector<double> centers;
  if (name == "blobs") {
    Generator center_gen(static_cast<uint64_t>(o.classes));
    for (int64_t k = 0; k < 2 * o.classes; ++k) centers.push_back(-5 + 10 * center_gen.uniform());
  }
  const int64_t classes = (name == "spirals" || name == "blobs") ? o.classes : 2;
  d.num_classes = classes;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = i % classes;  // balanced classes, interleaved
    double px = 0, py = 0;
    if (name == "spirals") {
      const double t = gen.uniform();
      const double angle = 4.0 * (static_cast<double>(k) + t) + noise * gen.normal();
      px = t * std::sin(angle);
      py = t * std::cos(angle);
    } else if (name == "moons") {
      const double t = kPi * gen.uniform();
      px = k == 0 ? std::cos(t) : 1 - std::cos(t);
      py = k == 0 ? std::sin(t) : 0.5 - std::sin(t);
      px += noise * gen.normal();
      py += noise * gen.normal();
    } else if (name == "circles") {
      const double t = 2 * kPi * gen.uniform();
      const double r = k == 0 ? 1.0 : 0.5;
      px = r * std::cos(t) + noise * gen.normal();
      py = r * std::sin(t) + noise * gen.normal();
    } else if (name == "blobs") {
      px = centers[2 * k] + noise * gen.normal();
      py = centers[2 * k + 1] + noise * gen.normal();
    } else {  // xor
      px = -1 + 2 * gen.uniform();
      py = -1 + 2 * gen.uniform();
      y[i] = ((px > 0) != (py > 0)) ? 1.0f : 0.0f;
      px += noise * gen.normal();
      py += noise * gen.normal();
      x[2 * i] = static_cast<float>(px);
      x[2 * i + 1] = static_cast<float>(py);
      continue;
    }
    x[2 * i] = static_cast<float>(px);
    x[2 * i + 1] = static_cast<float>(py);
    y[i] = static_cast<float>(k);
  }
  return d;
}

}  // namespace descent
