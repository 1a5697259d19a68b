#pragma once
// Two themes: light high-contrast for projectors, dark for screens.  The heatmap colour maps do
// not change with the theme; outlines, accents and text do.

#include <imgui.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace attnviz::views {

enum class Theme : std::uint8_t { light, dark };
const char* to_string(Theme);
std::optional<Theme> theme_from_string(std::string_view);

struct Palette {
  ImU32 text, text_dim, panel, block, block_border, accent, accent_text, current_block;
  ImU32 selection_outline;  // the clicked element, token or feature
  ImU32 hover_outline;      // what the mouse is over, in any panel
  ImU32 upstream_mark;      // chain rule: upstream factors (Okabe–Ito vermillion)
  ImU32 local_mark;         // chain rule: local factors (Okabe–Ito bluish green)
  ImU32 forward_arrow, backward_arrow;
  ImU32 warning;
  ImU32 ok;  // a check that passed (the chain rule's sum equals the stored gradient)
};
const Palette& palette(Theme);

// ImGui's style for the theme, every size multiplied by `scale`.
void apply_style(Theme theme, float scale);

inline constexpr float min_ui_scale = 0.6f, max_ui_scale = 3.0f;

// The text sizes offered (View ▸ Text size, Ctrl + / Ctrl −): 100, 125, 150, 175, 200 %.
inline constexpr float text_sizes[] = {1.0f, 1.25f, 1.5f, 1.75f, 2.0f};
// The next offered size above `scale` (the largest when none is); a stored 1.21 steps to 1.25.
float larger_text_size(float scale);
// The next offered size below `scale` (the smallest when none is).
float smaller_text_size(float scale);
// A text size as typed: "150%", "150" (a percentage when above 3) or "1.5" → 1.5; nothing
// outside min_ui_scale … max_ui_scale or not a number.
std::optional<float> parse_text_size(std::string_view text);

}  // namespace attnviz::views
