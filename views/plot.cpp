#include "views/plot.h"

#include "views/heatmap.h"
#include "views/i18n.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace attnviz::views {

std::uint64_t mix_key(std::uint64_t generation, std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
  std::uint64_t key = 0x243F6A8885A308D3ull;
  for (std::uint64_t part : {generation, a, b, c, d}) {
    key ^= part + 0x9E3779B97F4A7C15ull + (key << 6) + (key >> 2);
    key *= 0xBF58476D1CE4E5B9ull;
  }
  return key | 1;
}

ImTextureID matrix_texture(TextureCache& textures, std::uint64_t key, const Mat& m, ColourScale scale,
                           ValueRange range) {
  if (ImTextureID id = textures.find(key)) return id;
  std::vector<ImU32> pixels(static_cast<std::size_t>(m.size()));
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    const double v = m.data()[i];
    pixels[static_cast<std::size_t>(i)] = std::isfinite(v) ? colour_of(v, scale, range) : minus_infinity_fill;
  }
  return textures.upload(key, static_cast<int>(m.cols()), static_cast<int>(m.rows()), pixels.data());
}

int bar_plot(const char* id, std::span<const double> values, std::span<const std::string> labels, ImVec2 size,
             const Palette& pal, int marked) {
  const int n = static_cast<int>(values.size());
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float line = ImGui::GetTextLineHeight();
  const bool show_labels = !labels.empty();
  const float plot_h = size.y - (show_labels ? line + 4 : 0);
  double largest = 0;
  for (double v : values) largest = std::max(largest, std::abs(v));
  if (largest == 0) largest = 1;
  bool any_negative = false;
  for (double v : values) any_negative |= v < 0;
  const float zero_y = origin.y + (any_negative ? plot_h / 2 : plot_h);
  const float scale = (any_negative ? plot_h / 2 : plot_h) / static_cast<float>(largest);
  const float bar_w = n > 0 ? size.x / static_cast<float>(n) : size.x;
  for (int i = 0; i < n; ++i) {
    const float x0 = origin.x + bar_w * static_cast<float>(i), x1 = x0 + std::max(1.0f, bar_w * 0.8f);
    const float y = zero_y - static_cast<float>(values[static_cast<std::size_t>(i)]) * scale;
    const ImU32 colour = values[static_cast<std::size_t>(i)] >= 0 ? diverging_colour(0.85) : diverging_colour(0.15);
    draw->AddRectFilled(ImVec2(x0, std::min(y, zero_y)), ImVec2(x1, std::max(y, zero_y)), colour);
    if (i == marked) draw->AddRect(ImVec2(x0 - 1, origin.y), ImVec2(x1 + 1, origin.y + plot_h), pal.accent, 0, 0, 2);
  }
  draw->AddLine(ImVec2(origin.x, zero_y), ImVec2(origin.x + size.x, zero_y), pal.block_border);
  if (show_labels) {
    float widest = 0;
    for (const std::string& l : labels) widest = std::max(widest, ImGui::CalcTextSize(l.c_str()).x);
    const int every = std::max(1, static_cast<int>(std::ceil((widest + 6) / bar_w)));
    for (int i = 0; i < n && i < static_cast<int>(labels.size()); i += every) {
      const std::string& l = labels[static_cast<std::size_t>(i)];
      const float w = ImGui::CalcTextSize(l.c_str()).x;
      draw->AddText(ImVec2(origin.x + bar_w * (static_cast<float>(i) + 0.4f) - w / 2, origin.y + plot_h + 2),
                    i == marked ? pal.accent : pal.text, l.c_str());
    }
  }
  ImGui::InvisibleButton(id, ImVec2(std::max(1.0f, size.x), std::max(1.0f, size.y)));
  if (!ImGui::IsItemHovered() || n == 0) return -1;
  const int i = std::clamp(static_cast<int>((ImGui::GetIO().MousePos.x - origin.x) / bar_w), 0, n - 1);
  ImGui::SetTooltip("[%d] = %s", i, format_significant(values[static_cast<std::size_t>(i)], 4).c_str());
  return i;
}

int line_plot(const char* id, std::span<const double> y, ImVec2 size, const Palette& pal, int marked) {
  const int n = static_cast<int>(y.size());
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  double lo = 0, hi = 0;
  for (double v : y) lo = std::min(lo, v), hi = std::max(hi, v);
  if (hi - lo < 1e-12) hi = lo + 1;
  const float label_w = ImGui::CalcTextSize("−1.00 ").x;
  const ImVec2 p0(origin.x + label_w, origin.y), p1(origin.x + size.x, origin.y + size.y);
  auto at = [&](int i) {
    const float x = p0.x + (n > 1 ? (p1.x - p0.x) * static_cast<float>(i) / static_cast<float>(n - 1) : 0);
    const float v = static_cast<float>((y[static_cast<std::size_t>(i)] - lo) / (hi - lo));
    return ImVec2(x, p1.y - v * (p1.y - p0.y));
  };
  draw->AddRect(p0, p1, pal.block_border);
  const float zero = p1.y - static_cast<float>((0 - lo) / (hi - lo)) * (p1.y - p0.y);
  draw->AddLine(ImVec2(p0.x, zero), ImVec2(p1.x, zero), pal.text_dim);
  draw->AddText(ImVec2(origin.x, p0.y), pal.text, format_value(hi).c_str());
  draw->AddText(ImVec2(origin.x, p1.y - ImGui::GetTextLineHeight()), pal.text, format_value(lo).c_str());
  for (int i = 1; i < n; ++i) draw->AddLine(at(i - 1), at(i), pal.accent, 2.0f);
  const bool dots = n > 0 && (p1.x - p0.x) / static_cast<float>(n) >= 6;
  for (int i = 0; i < n && dots; ++i) draw->AddCircleFilled(at(i), 3.0f, pal.accent);
  if (marked >= 0 && marked < n) draw->AddCircle(at(marked), 6.0f, pal.selection_outline, 0, 2.0f);
  ImGui::InvisibleButton(id, ImVec2(std::max(1.0f, size.x), std::max(1.0f, size.y)));
  if (!ImGui::IsItemHovered() || n == 0) return -1;
  const float t = (ImGui::GetIO().MousePos.x - p0.x) / std::max(1.0f, p1.x - p0.x);
  const int i = std::clamp(static_cast<int>(std::lround(t * static_cast<float>(n - 1))), 0, n - 1);
  draw->AddCircle(at(i), 5.0f, pal.hover_outline, 0, 2.0f);
  ImGui::SetTooltip(tr("position %d: %s"), i, format_significant(y[static_cast<std::size_t>(i)], 4).c_str());
  return i;
}

bool probability_bar(const std::string& label, double p, double p_max, float label_w, float bar_w, ImU32 colour,
                     const Palette& pal, bool outlined) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float line = ImGui::GetTextLineHeight();
  draw->AddText(ImVec2(origin.x + label_w - ImGui::CalcTextSize(label.c_str()).x - 4, origin.y), pal.text,
                label.c_str());
  const float x0 = origin.x + label_w;
  const float len = p_max > 0 ? bar_w * static_cast<float>(std::clamp(p / p_max, 0.0, 1.0)) : 0;
  draw->AddRectFilled(ImVec2(x0, origin.y + 2), ImVec2(x0 + std::max(1.0f, len), origin.y + line - 1), colour);
  if (outlined)
    draw->AddRect(ImVec2(x0 - 2, origin.y), ImVec2(x0 + bar_w + 2, origin.y + line + 1), pal.accent, 0, 0, 2);
  const std::string value = format_value(p, 4);
  draw->AddText(ImVec2(x0 + len + 6, origin.y), pal.text, value.c_str());
  const float value_w = ImGui::CalcTextSize("0.0000  ").x;
  ImGui::Dummy(ImVec2(label_w + bar_w + value_w, line + 2));
  return ImGui::IsItemHovered();
}

void arrow(ImDrawList* draw, ImVec2 from, ImVec2 to, ImU32 colour, float size) {
  draw->AddLine(from, to, colour, std::max(1.5f, size * 0.25f));
  const float dy = to.y < from.y ? 1.0f : -1.0f;
  const float dx = to.x < from.x ? 1.0f : (to.x > from.x ? -1.0f : 0.0f);
  if (dx == 0)
    draw->AddTriangleFilled(to, ImVec2(to.x - size * 0.5f, to.y + dy * size),
                            ImVec2(to.x + size * 0.5f, to.y + dy * size), colour);
  else
    draw->AddTriangleFilled(to, ImVec2(to.x + dx * size, to.y - size * 0.5f),
                            ImVec2(to.x + dx * size, to.y + size * 0.5f), colour);
}

bool begin_headed_table(const char* id, std::initializer_list<const char*> headers, ImGuiTableFlags flags) {
  if (!ImGui::BeginTable(id, static_cast<int>(headers.size()), flags)) return false;
  for (const char* header : headers) ImGui::TableSetupColumn(header);
  ImGui::TableHeadersRow();
  return true;
}

void text_row(std::initializer_list<std::string> cells, ImU32 background) {
  ImGui::TableNextRow();
  if (background) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, background);
  for (const std::string& cell : cells) {
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(cell.c_str());
  }
}

void same_line_if_fits(float width) {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right) ImGui::SameLine();
}

void wrapped_words(const std::string& text, float width) {
  const float left = ImGui::GetCursorPosX(), space = ImGui::CalcTextSize(" ").x;
  bool first = true;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t end = std::min(text.find(' ', start), text.size());
    if (end > start) {
      const char* word = text.c_str() + start;
      const float w = ImGui::CalcTextSize(word, text.c_str() + end).x;
      const float right = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x + ImGui::GetScrollX();
      if (!first && right + space + w <= left + width) ImGui::SameLine(0, space);
      ImGui::TextUnformatted(word, text.c_str() + end);
      first = false;
    }
    start = end + 1;
  }
}

void hint(const char* text) {
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s", text);
  ImGui::PopTextWrapPos();
}

void section_title(const char* title, const char* hint, const Palette& pal) {
  ImGui::Spacing();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.accent), "%s", title);
  if (hint) {
    // Beside the title when at least a third of the line is left for it.
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    const float left = right - ImGui::GetItemRectMax().x;
    if (left > ImGui::CalcTextSize(hint).x || left > (right - ImGui::GetWindowPos().x) / 3) ImGui::SameLine();
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", hint);
    ImGui::PopTextWrapPos();
  }
}

}  // namespace attnviz::views
