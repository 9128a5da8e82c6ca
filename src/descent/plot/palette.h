#pragma once
// Colours for figures: a colour-blind-safe qualitative palette (Okabe and Ito), and one colour per
// key that stays the same in every figure descent draws (an optimizer keeps its colour).
#include <string>
#include <vector>

namespace descent::plot {

// Known optimizer names take fixed palette slots; other keys are spread by a stable hash over the
// seven colours other than yellow (faint as a thin line on white). A key that is itself a colour,
// "#RRGGBB", is that colour.
std::string color_for(const std::string& key);

// Keys for things drawn together (the runs of one figure) so that no two share a colour while
// the palette lasts: a key keeps its own colour unless an earlier one already has it; the others
// get the palette's free colours in slot order, as "#RRGGBB" keys. Two runs of sgd thus differ,
// and a lone adam keeps adam's colour.
std::vector<std::string> distinct_color_keys(const std::vector<std::string>& keys);

// The eight colours ("#RRGGBB"), in slot order.
const std::vector<std::string>& palette();

}  // namespace descent::plot
