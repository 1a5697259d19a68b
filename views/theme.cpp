#include "views/theme.h"

#include <cstdlib>
#include <iterator>
#include <string>

namespace attnviz::views {

const char* to_string(Theme theme) { return theme == Theme::light ? "light" : "dark"; }

std::optional<Theme> theme_from_string(std::string_view name) {
  if (name == "light") return Theme::light;
  if (name == "dark") return Theme::dark;
  return std::nullopt;
}

float larger_text_size(float scale) {
  for (float size : text_sizes)
    if (size > scale + 1e-3f) return size;
  return text_sizes[std::size(text_sizes) - 1];
}

float smaller_text_size(float scale) {
  for (auto it = std::rbegin(text_sizes); it != std::rend(text_sizes); ++it)
    if (*it < scale - 1e-3f) return *it;
  return text_sizes[0];
}

std::optional<float> parse_text_size(std::string_view text) {
  while (!text.empty() && (text.back() == '%' || text.back() == ' ')) text.remove_suffix(1);
  const std::string digits(text);
  char* end = nullptr;
  float value = std::strtof(digits.c_str(), &end);
  if (digits.empty() || end != digits.c_str() + digits.size()) return std::nullopt;
  if (value > max_ui_scale) value /= 100;
  if (!(value >= min_ui_scale && value <= max_ui_scale)) return std::nullopt;
  return value;
}

namespace {

constexpr Palette light_palette{
    .text = IM_COL32(0, 0, 0, 255),
    .text_dim = IM_COL32(70, 70, 70, 255),
    .panel = IM_COL32(255, 255, 255, 255),
    .block = IM_COL32(236, 240, 246, 255),
    .block_border = IM_COL32(40, 40, 40, 255),
    .accent = IM_COL32(0, 90, 181, 255),
    .accent_text = IM_COL32(255, 255, 255, 255),
    .current_block = IM_COL32(255, 194, 10, 255),
    .selection_outline = IM_COL32(0, 0, 0, 255),
    .hover_outline = IM_COL32(204, 121, 167, 255),
    .upstream_mark = IM_COL32(200, 85, 0, 255),
    .local_mark = IM_COL32(0, 130, 95, 255),
    .forward_arrow = IM_COL32(40, 40, 40, 255),
    .backward_arrow = IM_COL32(200, 70, 0, 255),
    .warning = IM_COL32(190, 0, 0, 255),
    .ok = IM_COL32(0, 130, 60, 255),
};

constexpr Palette dark_palette{
    .text = IM_COL32(240, 240, 240, 255),
    .text_dim = IM_COL32(175, 175, 175, 255),
    .panel = IM_COL32(30, 30, 34, 255),
    .block = IM_COL32(52, 56, 66, 255),
    .block_border = IM_COL32(190, 190, 190, 255),
    .accent = IM_COL32(90, 160, 255, 255),
    .accent_text = IM_COL32(0, 0, 0, 255),
    .current_block = IM_COL32(255, 194, 10, 255),
    .selection_outline = IM_COL32(255, 255, 255, 255),
    .hover_outline = IM_COL32(230, 150, 200, 255),
    .upstream_mark = IM_COL32(255, 130, 50, 255),
    .local_mark = IM_COL32(60, 210, 160, 255),
    .forward_arrow = IM_COL32(200, 200, 200, 255),
    .backward_arrow = IM_COL32(255, 140, 40, 255),
    .warning = IM_COL32(255, 110, 110, 255),
    .ok = IM_COL32(80, 230, 120, 255),
};

}  // namespace

const Palette& palette(Theme theme) { return theme == Theme::light ? light_palette : dark_palette; }

void apply_style(Theme theme, float scale) {
  ImGuiStyle style;
  if (theme == Theme::light) {
    ImGui::StyleColorsLight(&style);
    ImVec4* c = style.Colors;
    c[ImGuiCol_Text] = ImVec4(0, 0, 0, 1);
    c[ImGuiCol_TextDisabled] = ImVec4(0.30f, 0.30f, 0.30f, 1);
    c[ImGuiCol_WindowBg] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_ChildBg] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_Border] = ImVec4(0.25f, 0.25f, 0.25f, 1);
    c[ImGuiCol_TitleBg] = ImVec4(0.82f, 0.85f, 0.90f, 1);
    c[ImGuiCol_TitleBgActive] = ImVec4(0.70f, 0.78f, 0.90f, 1);
    c[ImGuiCol_Header] = ImVec4(1.00f, 0.76f, 0.04f, 0.55f);
    c[ImGuiCol_HeaderHovered] = ImVec4(1.00f, 0.76f, 0.04f, 0.35f);
    c[ImGuiCol_HeaderActive] = ImVec4(1.00f, 0.76f, 0.04f, 0.80f);
    c[ImGuiCol_Button] = ImVec4(0.86f, 0.89f, 0.94f, 1);
    c[ImGuiCol_FrameBg] = ImVec4(0.95f, 0.95f, 0.95f, 1);
  } else {
    ImGui::StyleColorsDark(&style);
    ImVec4* c = style.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.12f, 0.12f, 0.13f, 1);
    c[ImGuiCol_ChildBg] = ImVec4(0.12f, 0.12f, 0.13f, 1);
    c[ImGuiCol_Header] = ImVec4(1.00f, 0.76f, 0.04f, 0.45f);
    c[ImGuiCol_HeaderHovered] = ImVec4(1.00f, 0.76f, 0.04f, 0.25f);
    c[ImGuiCol_HeaderActive] = ImVec4(1.00f, 0.76f, 0.04f, 0.65f);
  }
  // Panels do not overlap and share one background: the app clears the frame to `panel` and
  // windows draw no background of their own (a software renderer pays per pixel per layer).
  style.Colors[ImGuiCol_WindowBg].w = 0;
  style.Colors[ImGuiCol_ChildBg].w = 0;
  style.WindowRounding = 0;
  style.FrameRounding = 3;
  style.WindowBorderSize = 1;
  style.FrameBorderSize = theme == Theme::light ? 1.0f : 0.0f;
  style.ItemSpacing = ImVec2(8, 5);
  style.WindowPadding = ImVec2(8, 6);
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

}  // namespace attnviz::views
