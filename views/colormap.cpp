#include "views/colormap.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace attnviz::views {
namespace {

struct Rgb {
  float r, g, b;
};

template <std::size_t N>
ImU32 interpolate(const std::array<Rgb, N>& stops, double t) {
  t = std::clamp(t, 0.0, 1.0) * static_cast<double>(N - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(t), N - 2);
  const float f = static_cast<float>(t - static_cast<double>(i));
  const Rgb& a = stops[i];
  const Rgb& b = stops[i + 1];
  auto mix = [f](float x, float y) { return static_cast<int>(std::lround(x + (y - x) * f)); };
  return IM_COL32(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b), 255);
}

// Blue → white → orange; readable by deuteranopes, protanopes and tritanopes alike.
constexpr std::array<Rgb, 7> diverging_stops{
    {{33, 72, 140}, {67, 128, 193}, {158, 196, 228}, {247, 247, 247}, {253, 196, 128}, {224, 130, 20}, {150, 70, 4}}};

// viridis at 9 evenly spaced points.
constexpr std::array<Rgb, 9> viridis_stops{{{68, 1, 84},
                                            {71, 44, 122},
                                            {59, 81, 139},
                                            {44, 113, 142},
                                            {33, 144, 141},
                                            {39, 173, 129},
                                            {92, 200, 99},
                                            {170, 220, 50},
                                            {253, 231, 37}}};

}  // namespace

ImU32 diverging_colour(double t) { return interpolate(diverging_stops, t); }
ImU32 sequential_colour(double t) { return interpolate(viridis_stops, t); }

ImU32 colour_of(double value, ColourScale scale, ValueRange range) {
  const double span = range.hi - range.lo;
  const double t = span > 0 ? (value - range.lo) / span : 0.5;
  return scale == ColourScale::diverging ? diverging_colour(t) : sequential_colour(t);
}

ImU32 text_on(ImU32 background) {
  const float r = static_cast<float>((background >> IM_COL32_R_SHIFT) & 0xFF);
  const float g = static_cast<float>((background >> IM_COL32_G_SHIFT) & 0xFF);
  const float b = static_cast<float>((background >> IM_COL32_B_SHIFT) & 0xFF);
  const float luminance = 0.2126f * r + 0.7152f * g + 0.0722f * b;
  return luminance > 140 ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255);
}

}  // namespace attnviz::views
