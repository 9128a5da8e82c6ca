#include "descent/plot/palette.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string_view>
#include <utility>

namespace descent::plot {
namespace {

// Okabe and Ito's eight colours, distinguishable with every common colour-vision deficiency.
constexpr std::array<std::string_view, 8> kOkabeIto = {
    "#0072B2",  // blue
    "#D55E00",  // vermillion
    "#E69F00",  // orange
    "#009E73",  // bluish green
    "#CC79A7",  // reddish purple
    "#56B4E9",  // sky blue
    "#000000",  // black
    "#F0E442",  // yellow (weakest on white: the last fixed slot)
};

// The optimizers people compare most get a slot each, so a race of the usual suspects never
// shares a colour; "momentum" shares nadam's slot (the two are rarely drawn together).
constexpr std::array<std::pair<std::string_view, int>, 10> kFixed = {{
    {"sgd", 0},
    {"adam", 1},
    {"adamw", 2},
    {"rmsprop", 3},
    {"adagrad", 4},
    {"nadam", 5},
    {"momentum", 5},
    {"lbfgs", 6},
    {"lion", 7},
    {"adadelta", 7},
}};

// FNV-1a: the same slot for a key on every platform and in every run (std::hash promises
// neither).
uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::vector<std::string> distinct_color_keys(const std::vector<std::string>& keys) {
  std::vector<std::string> out(keys.size()), taken;
  std::vector<size_t> moved;
  for (size_t k = 0; k < keys.size(); ++k) {
    const std::string c = color_for(keys[k]);
    if (std::find(taken.begin(), taken.end(), c) == taken.end()) {
      taken.push_back(c);
      out[k] = keys[k];
    } else {
      moved.push_back(k);
    }
  }
  for (size_t k : moved) {
    out[k] = keys[k];  // when the palette runs out, colours repeat
    for (std::string_view c : kOkabeIto)
      if (std::find(taken.begin(), taken.end(), c) == taken.end()) {
        out[k] = std::string(c);
        taken.push_back(out[k]);
        break;
      }
  }
  return out;
}

const std::vector<std::string>& palette() {
  static const std::vector<std::string> colors(kOkabeIto.begin(), kOkabeIto.end());
  return colors;
}

// "#RRGGBB".
static bool is_color(const std::string& key) {
  return key.size() == 7 && key[0] == '#' && std::all_of(key.begin() + 1, key.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c));
         });
}

std::string color_for(const std::string& key) {
  if (is_color(key)) return key;
  for (const auto& [name, slot] : kFixed)
    if (key == name) return std::string(kOkabeIto[slot]);
  // Hashed keys avoid the yellow, which is hard to see as a thin line on white.
  return std::string(kOkabeIto[fnv1a(key) % (kOkabeIto.size() - 1)]);
}

}  // namespace descent::plot
