#pragma once
// The smoothing the pages offer (TensorBoard's): an exponential moving average over the points in
// order, debiased so the first points are not pulled towards zero:
//   m_k = a m_{k-1} + (1 - a) y_k,  m_0 = 0,  s_k = m_k / (1 - a^k)   (k counts finite points)
// Non-finite points pass through untouched and do not enter the average. a = 0 returns y.
// The page's JavaScript (page_script.cpp) computes the same when the slider moves.
#include <vector>

namespace descent::plot {

std::vector<double> debiased_ema(const std::vector<double>& y, double smoothing);

}  // namespace descent::plot
