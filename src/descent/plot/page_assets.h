#pragma once
// The style sheet and the script every page carries (page_assets.cpp). Internal to plot/.
//
// The script embeds each figure's spec (read from its <script type="application/json"
// id="spec-ID"> block) with vegaEmbed into div#figure-ID, SVG renderer, and wires the controls:
//   #smoothing          range 0..0.99: the `smoothing` signal, and recomputes every line chart's
//                       <id>_smoothed data (the debiased moving average of smoothing.h)
//   #x-axis             select: sets <id>_x_alt on every chart that has an alternative x
//   #log-ID             checkbox: the chart's <id>_log_y signal
//   #step-ID, #play-ID  range and button: a contour plot's `step` signal; play advances it
// window.descentViews maps figure ids to their Vega views and window.descentReady resolves when
// every figure is drawn (both for tests and the console).
namespace descent::plot {

extern const char* const kPageStyle;
extern const char* const kPageScript;

}  // namespace descent::plot
