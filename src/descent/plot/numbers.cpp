#include "descent/plot/numbers.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace descent::plot {

nlohmann::json json_number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json json_numbers(const std::vector<double>& values) {
  nlohmann::json out = nlohmann::json::array();
  out.get_ref<nlohmann::json::array_t&>().reserve(values.size());
  for (double v : values) out.push_back(json_number(v));
  return out;
}

nlohmann::json json_float_number(double v) {
  if (!std::isfinite(v) || std::fabs(v) > std::numeric_limits<float>::max()) return json_number(v);
  return json_number(float_decimal(static_cast<float>(v)));
}

double float_decimal(float v) {
  if (!std::isfinite(v)) return v;
  // to_chars(float) is the shortest text that reads back as this float; read as a double it is
  // the double the JSON writer prints with the same few digits.
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf - 1, v).ptr;
  *end = '\0';
  return std::strtod(buf, nullptr);
}

}  // namespace descent::plot
