#pragma once
// Contour levels for a grid of values. Linear levels split the range evenly; a function like
// Rosenbrock's rises by four orders of magnitude away from its valley, so even levels would leave
// the whole valley inside the first one: log-spaced levels (above the minimum) show it instead.
#include <vector>

namespace descent::plot {

// `count` thresholds, increasing, strictly between min(z) and max(z). Log-spaced ones are
// min(z) + d_k with d_k geometric from the 1st percentile of z - min(z) (above zero) up to the
// range. A constant grid has no levels (the result is empty).
std::vector<double> contour_thresholds(const std::vector<double>& z, int count, bool log_spaced);

// Whether the grid calls for log-spaced levels: above the minimum, its 90th percentile is more
// than 50 times its 10th (Rosenbrock 99x, Beale 3400x, Goldstein-Price 600x; quadratics with
// kappa 10 and Himmelblau about 20x): even levels would leave the low tenth of the plot, where the
// paths end, without a line.
bool calls_for_log_levels(const std::vector<double>& z);

}  // namespace descent::plot
