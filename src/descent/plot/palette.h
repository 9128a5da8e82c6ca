#pragma once
// Colours for figures: a colour-blind-safe qualitative palette (Okabe and Ito), and one colour per
// key that stays the same in every figure descent draws (an optimizer keeps its colour).
#include <string>

namespace descent::plot {

// Known optimizer names take fixed palette slots; other keys are spread by a stable hash.
std::string color_for(const std::string& key);

}  // namespace descent::plot
