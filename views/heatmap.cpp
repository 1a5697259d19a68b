#include "views/heatmap.h"

#include "views/matrix_export.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace attnviz::views {
namespace {

bool is_minus_infinity(double v) { return std::isinf(v) && v < 0; }

std::string label_or_index(std::span<const std::string> labels, int i) {
  if (i < static_cast<int>(labels.size())) return labels[static_cast<std::size_t>(i)];
  return std::to_string(i);
}

ImTextureID cell_texture(const HeatmapSpec& spec, const ValueRange& range, TextureCache& textures) {
  if (ImTextureID id = textures.find(spec.texture_key)) return id;
  const Mat& m = *spec.values;
  std::vector<ImU32> pixels(static_cast<std::size_t>(m.size()));
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    const double v = m.data()[i];
    pixels[static_cast<std::size_t>(i)] =
        std::isfinite(v) ? colour_of(v, spec.scale, range) : minus_infinity_fill;
  }
  return textures.upload(spec.texture_key, static_cast<int>(m.cols()), static_cast<int>(m.rows()),
                         pixels.data());
}

void hatch(ImDrawList* draw, ImVec2 a, ImVec2 b) {
  draw->PushClipRect(a, b, true);
  const float step = std::max(4.0f, (b.x - a.x) / 4);
  for (float x = a.x - (b.y - a.y); x < b.x; x += step)
    draw->AddLine(ImVec2(x, b.y), ImVec2(x + (b.y - a.y), a.y), minus_infinity_hatch, 1.0f);
  draw->PopClipRect();
}

// Characters of UTF-8 text ("−6.57" is 5).
std::size_t glyph_count(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// `text` cut to `width` pixels with "…" (whole UTF-8 characters); "" when not even one fits.
std::string fit_label(std::string text, float width) {
  if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
  while (!text.empty()) {
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
    if (!text.empty()) text.pop_back();
    if (!text.empty() && ImGui::CalcTextSize((text + "…").c_str()).x <= width) return text + "…";
  }
  return {};
}


// The colour bar under a heatmap, with its range, and the −∞ legend to its right (or below it
// when that would pass `right`).  Returns the height used.
float colour_bar(ImDrawList* draw, ImVec2 at, float width, float right, const HeatmapSpec& spec,
                 const ValueRange& range, const Notation& notation, bool has_minus_infinity, const Palette& pal) {
  const float h = ImGui::GetTextLineHeight() * 0.6f;
  const int segments = 16;
  for (int s = 0; s < segments; ++s) {
    const double t0 = static_cast<double>(s) / segments, t1 = static_cast<double>(s + 1) / segments;
    auto col = [&](double t) {
      return spec.scale == ColourScale::diverging ? diverging_colour(t) : sequential_colour(t);
    };
    const float x0 = at.x + width * static_cast<float>(t0), x1 = at.x + width * static_cast<float>(t1);
    draw->AddRectFilledMultiColor(ImVec2(x0, at.y), ImVec2(x1, at.y + h), col(t0), col(t1), col(t1), col(t0));
  }
  draw->AddRect(at, ImVec2(at.x + width, at.y + h), pal.block_border);
  const float ty = at.y + h + 1;
  auto end_label = [&](double v) { return notation.exponent == 0 ? format_significant(v) : notation.with_scale(v); };
  const std::string lo = end_label(range.lo), hi = end_label(range.hi);
  draw->AddText(ImVec2(at.x, ty), pal.text, lo.c_str());
  draw->AddText(ImVec2(at.x + width - ImGui::CalcTextSize(hi.c_str()).x, ty), pal.text, hi.c_str());
  const float zero_w = ImGui::CalcTextSize("0").x, gap = zero_w * 2;
  const bool zero_fits = ImGui::CalcTextSize(lo.c_str()).x + gap < width / 2 - zero_w &&
                         ImGui::CalcTextSize(hi.c_str()).x + gap < width / 2 - zero_w;
  if (spec.scale == ColourScale::diverging && zero_fits)
    draw->AddText(ImVec2(at.x + width / 2 - zero_w / 2, ty), pal.text, "0");
  const float used = h + 1 + ImGui::GetTextLineHeight();
  if (!has_minus_infinity) return used;
  const char* legend = "−∞  masked: softmax weight 0";
  const float legend_w = h * 2 + 6 + ImGui::CalcTextSize(legend).x;
  const bool beside = at.x + width + ImGui::GetFontSize() + legend_w <= right;
  const ImVec2 a(beside ? at.x + width + ImGui::GetFontSize() : at.x, beside ? at.y : at.y + used + 2);
  const ImVec2 b(a.x + h * 2, a.y + h * 1.6f);
  draw->AddRectFilled(a, b, minus_infinity_fill);
  hatch(draw, a, b);
  draw->AddText(ImVec2(b.x + 6, a.y), pal.text, legend);
  return beside ? used : used + 2 + ImGui::GetTextLineHeight();
}

}  // namespace

// `text` reading upwards from `at`, the left edge of its line (glyph quads of the current font,
// turned a quarter: a point (along, across) of the line goes to (at.x + across, at.y − along)).
void upright_text(ImDrawList* draw, ImVec2 at, ImU32 colour, const std::string& text) {
  const ImFont* font = ImGui::GetFont();
  const float scale = ImGui::GetFontSize() / font->FontSize;
  float along = 0;
  for (const char* s = text.c_str(); *s;) {
    unsigned int c = 0;
    s += ImTextCharFromUtf8(&c, s, nullptr);
    const ImFontGlyph* g = font->FindGlyph(static_cast<ImWchar>(c));
    if (!g) continue;
    const auto p = [&](float x, float y) { return ImVec2(at.x + y * scale, at.y - (along + x) * scale); };
    if (g->Visible) {
      draw->PrimReserve(6, 4);
      draw->PrimQuadUV(p(g->X0, g->Y0), p(g->X1, g->Y0), p(g->X1, g->Y1), p(g->X0, g->Y1), ImVec2(g->U0, g->V0),
                       ImVec2(g->U1, g->V0), ImVec2(g->U1, g->V1), ImVec2(g->U0, g->V1), colour);
    }
    along += g->AdvanceX;
  }
}

int index_label_every(int cols, float cell_w, float digit) {
  const float need = digit * (static_cast<float>(std::to_string(std::max(0, cols - 1)).size()) + 1);
  for (int k = 1; k < 1000000; k *= 10)
    for (int m : {1, 2, 5})
      if (cell_w * static_cast<float>(k * m) >= need) return k * m;
  return std::max(1, cols);
}

ValueRange value_range(const Mat& values, ColourScale scale) {
  double lo = INFINITY, hi = -INFINITY, largest = 0;
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    const double v = values.data()[i];
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    largest = std::max(largest, std::abs(v));
  }
  if (scale == ColourScale::diverging) {
    if (largest == 0) largest = 1;
    return {-largest, largest};
  }
  if (!(lo <= hi)) return {0, 1};
  return {std::min(lo, 0.0), std::max(hi, 1.0)};
}

ColumnLabels column_labels(std::span<const std::string> labels, int cols, float cell_w, float line, float digit) {
  float widest = 0;
  for (const std::string& label : labels) widest = std::max(widest, ImGui::CalcTextSize(label.c_str()).x);
  ColumnLabels l;
  l.upright = !labels.empty() && widest > cell_w - 2 && cell_w >= line * 0.9f;
  l.words = l.upright || (!labels.empty() && cell_w >= digit * 3);
  l.every = l.words ? 1 : index_label_every(cols, cell_w, digit);
  l.header_h = l.upright ? std::min(widest, digit * 10) + 4 : line + 2;
  l.room = l.upright ? l.header_h - 4 : cell_w - 2;
  return l;
}

bool draw_heatmap(const HeatmapSpec& spec, const HeatmapLook& look, Selection& selection) {
  const Mat& m = *spec.values;
  const int rows = static_cast<int>(m.rows()), cols = static_cast<int>(m.cols());
  const Palette& pal = palette(look.theme);
  ImGui::PushID(static_cast<int>(spec.texture_key & 0x7fffffff));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + (spec.max_width > 0 ? spec.max_width : ImGui::GetContentRegionAvail().x));
  const Notation notation = notation_for(m);
  ImGui::TextUnformatted(notation.exponent == 0 ? spec.caption.c_str() : (spec.caption + "  (" + notation.scale_text() + ")").c_str());
  ImGui::PopTextWrapPos();
  if (rows == 0 || cols == 0) {
    ImGui::TextDisabled("(empty)");
    ImGui::PopID();
    return false;
  }

  const float line = ImGui::GetTextLineHeight();
  const float digit = ImGui::CalcTextSize("0").x;
  float label_w = 0;
  for (int r = 0; r < rows; ++r)
    label_w = std::max(label_w, ImGui::CalcTextSize(label_or_index(spec.row_labels, r).c_str()).x);
  label_w = std::min(label_w, digit * 10) + digit;

  const float avail = spec.max_width > 0 ? spec.max_width : ImGui::GetContentRegionAvail().x;
  const float max_cell = digit * 7.5f;
  const float cell_w = std::clamp((avail - label_w - 2) / static_cast<float>(cols), 3.0f, max_cell);
  const float cell_h = std::clamp(cell_w, 3.0f, line * 1.2f);

  // Column labels when they fit the cell; otherwise every k-th index.
  // Column words, shortened with "…" to their cell, when a cell holds three characters; otherwise
  // every k-th index.
  const ColumnLabels col_layout = column_labels(spec.col_labels, cols, cell_w, line, digit);
  const bool col_upright = col_layout.upright, col_words_fit = col_layout.words;
  const int col_label_every = col_layout.every;
  const float header_h = col_layout.header_h;

  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 grid0(origin.x + label_w, origin.y + header_h);
  const ImVec2 grid1(grid0.x + cell_w * static_cast<float>(cols), grid0.y + cell_h * static_cast<float>(rows));
  auto cell_min = [&](int r, int c) {
    return ImVec2(grid0.x + cell_w * static_cast<float>(c), grid0.y + cell_h * static_cast<float>(r));
  };

  const ValueRange range = value_range(m, spec.scale);
  if (look.textures) draw->AddImage(cell_texture(spec, range, *look.textures), grid0, grid1);

  // Numbers in the cells, −∞ hatching.
  bool has_minus_infinity = false;
  std::size_t widest = 0;
  for (Eigen::Index i = 0; i < m.size() && i <= 900; ++i) {
    const double v = m.data()[i];
    has_minus_infinity |= is_minus_infinity(v);
    if (std::isfinite(v)) widest = std::max(widest, glyph_count(notation.format(v)));
  }
  for (Eigen::Index i = 901; i < m.size() && !has_minus_infinity; ++i) has_minus_infinity = is_minus_infinity(m.data()[i]);
  const bool numbers_fit = rows * cols <= 900 && cell_h >= line &&
                           ImGui::CalcTextSize(std::string(widest, '0').c_str()).x <= cell_w - 3;
  for (int r = 0; r < rows && (numbers_fit || has_minus_infinity); ++r)
    for (int c = 0; c < cols; ++c) {
      const double v = m(r, c);
      const ImVec2 a = cell_min(r, c), b(a.x + cell_w, a.y + cell_h);
      if (is_minus_infinity(v)) hatch(draw, a, b);
      if (!numbers_fit) continue;
      const std::string text = notation.format(v);
      const ImVec2 size = ImGui::CalcTextSize(text.c_str());
      const ImU32 bg = std::isfinite(v) ? colour_of(v, spec.scale, range) : minus_infinity_fill;
      draw->AddText(ImVec2(a.x + (cell_w - size.x) / 2, a.y + (cell_h - size.y) / 2), text_on(bg), text.c_str());
    }
  if (cell_w >= 8 && cell_h >= 8) {
    const ImU32 grid = look.theme == Theme::light ? IM_COL32(255, 255, 255, 160) : IM_COL32(30, 30, 34, 160);
    for (int c = 1; c < cols; ++c) draw->AddLine(cell_min(0, c), ImVec2(cell_min(0, c).x, grid1.y), grid);
    for (int r = 1; r < rows; ++r) draw->AddLine(cell_min(r, 0), ImVec2(grid1.x, cell_min(r, 0).y), grid);
  }
  draw->AddRect(grid0, grid1, pal.block_border);

  // Row and column labels.
  const TokenRef sel_token = selection.token, hover_token = selection.hover.token;
  auto token_colour = [&](TokenSide side, int i) {
    if (side == TokenSide::none) return pal.text;
    if (sel_token == TokenRef{side, i}) return pal.accent;
    if (hover_token == TokenRef{side, i}) return pal.hover_outline;
    return pal.text;
  };
  draw->PushClipRect(origin, ImVec2(grid0.x - 2, grid1.y), true);
  for (int r = 0; r < rows; ++r) {
    const std::string text = label_or_index(spec.row_labels, r);
    const float y = cell_min(r, 0).y + (cell_h - line) / 2;
    if (cell_h >= line * 0.8f || r % std::max(1, static_cast<int>(line / cell_h) + 1) == 0)
      draw->AddText(ImVec2(origin.x, y), token_colour(spec.row_tokens, r), text.c_str());
  }
  draw->PopClipRect();
  for (int c = 0; c < cols; c += col_label_every) {
    if (col_upright) {
      const std::string shown = fit_label(label_or_index(spec.col_labels, c), col_layout.room);
      upright_text(draw, ImVec2(cell_min(0, c).x + (cell_w - line) / 2, grid0.y - 3), token_colour(spec.col_tokens, c), shown);
      continue;
    }
    const std::string shown = col_words_fit ? fit_label(label_or_index(spec.col_labels, c), col_layout.room) : std::to_string(c);
    const float w = ImGui::CalcTextSize(shown.c_str()).x;
    draw->AddText(ImVec2(cell_min(0, c).x + (cell_w - w) / 2, origin.y), token_colour(spec.col_tokens, c), shown.c_str());
  }

  // Token and feature highlights: the selection, then the hover.
  auto outline_row = [&](int r, ImU32 colour, float thickness) {
    draw->AddRect(ImVec2(grid0.x - 1, cell_min(r, 0).y), ImVec2(grid1.x + 1, cell_min(r, 0).y + cell_h), colour, 0, 0, thickness);
  };
  auto outline_col = [&](int c, ImU32 colour, float thickness) {
    draw->AddRect(ImVec2(cell_min(0, c).x, grid0.y - 1), ImVec2(cell_min(0, c).x + cell_w, grid1.y + 1), colour, 0, 0, thickness);
  };
  auto outline_focus = [&](TokenRef token, int feature, ImU32 colour, float thickness) {
    if (token.valid() && token.side == spec.row_tokens && token.index < rows) outline_row(token.index, colour, thickness);
    if (token.valid() && token.side == spec.col_tokens && token.index < cols) outline_col(token.index, colour, thickness);
    if (feature >= 0 && spec.col_features && feature < cols) outline_col(feature, colour, thickness);
  };
  outline_focus(selection.token, selection.feature, pal.accent, 2.0f);
  outline_focus(selection.hover.token, selection.hover.feature, pal.hover_outline, 2.0f);

  for (const Mark& mark : spec.marks) {
    if (mark.row >= rows || mark.col >= cols) continue;
    const ImVec2 a = cell_min(mark.row, mark.col);
    // A band of the mark's colour with a thin line of the panel colour inside it, so it stands out
    // on any cell colour.
    draw->AddRect(ImVec2(a.x + 1.5f, a.y + 1.5f), ImVec2(a.x + cell_w - 1.5f, a.y + cell_h - 1.5f), mark.colour, 0, 0, 3.0f);
    if (cell_w >= 10 && cell_h >= 10)
      draw->AddRect(ImVec2(a.x + 3.5f, a.y + 3.5f), ImVec2(a.x + cell_w - 3.5f, a.y + cell_h - 3.5f), pal.panel, 0, 0, 1.0f);
  }
  auto same_matrix = [&](const ElementRef& e) {
    return e.step == spec.element.step && e.slot == spec.element.slot && e.index == spec.element.index;
  };
  if (selection.element.valid() && same_matrix(selection.element) && selection.element.row < rows && selection.element.col < cols) {
    const ImVec2 a = cell_min(selection.element.row, selection.element.col);
    draw->AddRect(ImVec2(a.x - 2, a.y - 2), ImVec2(a.x + cell_w + 2, a.y + cell_h + 2), pal.selection_outline, 0, 0, 3.0f);
  }

  // Interaction: the grid and the labels.
  bool clicked = false;
  ImGui::SetCursorScreenPos(grid0);
  ImGui::InvisibleButton("cells", ImVec2(grid1.x - grid0.x, grid1.y - grid0.y));
  matrix_context_menu("csv", m, spec.row_labels, spec.col_labels);
  if (ImGui::IsItemHovered()) {
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const int c = std::clamp(static_cast<int>((mouse.x - grid0.x) / cell_w), 0, cols - 1);
    const int r = std::clamp(static_cast<int>((mouse.y - grid0.y) / cell_h), 0, rows - 1);
    ElementRef e = spec.element;
    e.row = r;
    e.col = c;
    selection.hover.element = e;
    if (spec.row_tokens != TokenSide::none) selection.hover.token = {spec.row_tokens, r};
    else if (spec.col_tokens != TokenSide::none) selection.hover.token = {spec.col_tokens, c};
    if (spec.col_features) selection.hover.feature = c;
    ImGui::BeginTooltip();
    ImGui::Text("%s · %s", label_or_index(spec.row_labels, r).c_str(), label_or_index(spec.col_labels, c).c_str());
    ImGui::Text("[%d, %d] = %.6g", r, c, m(r, c));
    ImGui::EndTooltip();
    if (ImGui::IsItemClicked()) {
      selection.element = e;
      if (spec.row_tokens != TokenSide::none) selection.token = {spec.row_tokens, r};
      if (spec.col_features) selection.feature = c;
      clicked = true;
    }
  }
  ImGui::SetCursorScreenPos(origin);
  ImGui::InvisibleButton("row_labels", ImVec2(std::max(1.0f, label_w - 2), std::max(1.0f, grid1.y - origin.y)));
  if (ImGui::IsItemHovered() && spec.row_tokens != TokenSide::none) {
    const int r = static_cast<int>((ImGui::GetIO().MousePos.y - grid0.y) / cell_h);
    if (r >= 0 && r < rows) {
      selection.hover.token = {spec.row_tokens, r};
      if (ImGui::IsItemClicked()) selection.token = {spec.row_tokens, r};
    }
  }
  ImGui::SetCursorScreenPos(ImVec2(grid0.x, origin.y));
  ImGui::InvisibleButton("col_labels", ImVec2(grid1.x - grid0.x, header_h - 2));
  if (ImGui::IsItemHovered() && spec.col_tokens != TokenSide::none) {
    const int c = static_cast<int>((ImGui::GetIO().MousePos.x - grid0.x) / cell_w);
    if (c >= 0 && c < cols) {
      selection.hover.token = {spec.col_tokens, c};
      if (ImGui::IsItemClicked()) selection.token = {spec.col_tokens, c};
    }
  }

  const ImVec2 bar_at(grid0.x, grid1.y + 4);
  const float bar_w = std::clamp(grid1.x - grid0.x, digit * 18, digit * 26);
  const float right = origin.x + (spec.max_width > 0 ? spec.max_width : ImGui::GetContentRegionAvail().x);
  const float bar_h = colour_bar(draw, bar_at, bar_w, right, spec, range, notation, has_minus_infinity, pal);
  ImGui::SetCursorScreenPos(ImVec2(origin.x, bar_at.y));
  ImGui::Dummy(ImVec2(label_w + bar_w, bar_h + 6));
  ImGui::PopID();
  return clicked;
}

}  // namespace attnviz::views
