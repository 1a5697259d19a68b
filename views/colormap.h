#pragma once
// Colour maps safe for colour-blind viewers.
//   diverging  — signed data, centred on 0: blue (−) · white (0) · orange (+)   (ColorBrewer PuOr-like)
//   sequential — probabilities and other data in [0, 1]: viridis
// −∞ (masked scores) has no colour of its own: heatmaps hatch those cells and label them.

#include <imgui.h>

#include <cstdint>

namespace attnviz::views {

enum class ColourScale : std::uint8_t { diverging, sequential };

struct ValueRange {
  double lo = 0, hi = 1;  // diverging: lo = −hi
};

// t ∈ [0, 1] along the map.
ImU32 diverging_colour(double t);
ImU32 sequential_colour(double t);

// The colour of `value` under `scale` over `range` (values outside are clamped).
ImU32 colour_of(double value, ColourScale scale, ValueRange range);

// Black or white, whichever reads better on `background`.
ImU32 text_on(ImU32 background);

inline constexpr ImU32 minus_infinity_fill = IM_COL32(90, 90, 90, 255);
inline constexpr ImU32 minus_infinity_hatch = IM_COL32(200, 200, 200, 255);

}  // namespace attnviz::views
