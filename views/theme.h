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
  ImU32 ok;                 // a check that passed (the chain rule's sum equals the stored gradient)
};
const Palette& palette(Theme);

// ImGui's style for the theme, every size multiplied by `scale`.
void apply_style(Theme theme, float scale);

inline constexpr float min_ui_scale = 0.6f, max_ui_scale = 3.0f;

}  // namespace attnviz::views
