#include "descent/plot/function_contour.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/plot/levels.h"
#include "descent/plot/numbers.h"

namespace descent::plot {

ContourPlot function_contour(const TestFunction& fn, const Domain& window, int64_t n,
                             const std::string& id) {
  if (n < 2) throw std::invalid_argument("grid " + std::to_string(n) + ": expected at least 2");
  ContourPlot plot;
  plot.id = id;
  plot.title = fn.name + ": " + fn.formula;
  plot.x_min = window.x_min;
  plot.x_max = window.x_max;
  plot.y_min = window.y_min;
  plot.y_max = window.y_max;
  plot.nx = plot.ny = n;
  std::vector<float> xs(static_cast<size_t>(n * n)), ys(xs.size());
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < n; ++i) {
      const double tx = static_cast<double>(i) / static_cast<double>(n - 1);
      const double ty = static_cast<double>(j) / static_cast<double>(n - 1);
      xs[j * n + i] = static_cast<float>(window.x_min + tx * (window.x_max - window.x_min));
      ys[j * n + i] = static_cast<float>(window.y_min + ty * (window.y_max - window.y_min));
    }
  NoGradGuard no_grad;
  const Shape shape = {n * n};
  const std::vector<float> z = fn(Tensor::from(shape, xs), Tensor::from(shape, ys)).to_vector();
  plot.z.reserve(z.size());
  for (float v : z) plot.z.push_back(float_decimal(v));
  plot.log_levels = calls_for_log_levels(plot.z);
  for (const auto& kp : fn.known_points) plot.points.push_back({kp.x, kp.y, kp.kind});
  return plot;
}

}  // namespace descent::plot
