#include "views/heatmap.h"

#include "views/figure.h"
#include "views/i18n.h"

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
    pixels[static_cast<std::size_t>(i)] = std::isfinite(v) ? colour_of(v, spec.scale, range) : minus_infinity_fill;
  }
  return textures.upload(spec.texture_key, static_cast<int>(m.cols()), static_cast<int>(m.rows()), pixels.data());
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
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
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
  const char* legend = tr("−∞  masked: softmax weight 0");
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

namespace {

// Where a heatmap's parts go: row labels `label_w` wide left of the grid, column labels
// `header_h` high above it, cells `cell_w` × `cell_h` from grid0 to grid1.
struct Grid {
  int rows = 0, cols = 0;
  float label_w = 0, cell_w = 0, cell_h = 0, line = 0, digit = 0;
  ColumnLabels columns;
  ImVec2 origin, grid0, grid1;
  ImVec2 cell_min(int r, int c) const {
    return ImVec2(grid0.x + cell_w * static_cast<float>(c), grid0.y + cell_h * static_cast<float>(r));
  }
  ImVec2 cell_max(int r, int c) const { return ImVec2(cell_min(r, c).x + cell_w, cell_min(r, c).y + cell_h); }
};

// Cells as wide as the room allows, up to 7½ digits, and as high as wide up to 1.2 lines.
Grid grid_geometry(const HeatmapSpec& spec) {
  const Mat& m = *spec.values;
  Grid g;
  g.rows = static_cast<int>(m.rows());
  g.cols = static_cast<int>(m.cols());
  g.line = ImGui::GetTextLineHeight();
  g.digit = ImGui::CalcTextSize("0").x;
  for (int r = 0; r < g.rows; ++r)
    g.label_w = std::max(g.label_w, ImGui::CalcTextSize(label_or_index(spec.row_labels, r).c_str()).x);
  g.label_w = std::min(g.label_w, g.digit * 10) + g.digit;
  const float avail = spec.max_width > 0 ? spec.max_width : ImGui::GetContentRegionAvail().x;
  g.cell_w = std::clamp((avail - g.label_w - 2) / static_cast<float>(g.cols), 3.0f, g.digit * 7.5f);
  g.cell_h = std::clamp(g.cell_w, 3.0f, g.line * 1.2f);
  g.columns = column_labels(spec.col_labels, g.cols, g.cell_w, g.line, g.digit);
  g.origin = ImGui::GetCursorScreenPos();
  g.grid0 = ImVec2(g.origin.x + g.label_w, g.origin.y + g.columns.header_h);
  g.grid1 =
      ImVec2(g.grid0.x + g.cell_w * static_cast<float>(g.cols), g.grid0.y + g.cell_h * static_cast<float>(g.rows));
  return g;
}

// The cell colours (one texture), −∞ hatched, the numbers where they fit (at most 900 cells, a
// line high, the widest number inside), grid lines between cells of 8 px and more, the border.
// Returns whether a cell is −∞.
bool draw_cells(ImDrawList* draw, const HeatmapSpec& spec, const Grid& g, const ValueRange& range,
                const Notation& notation, const HeatmapLook& look) {
  const Mat& m = *spec.values;
  if (look.textures) draw->AddImage(cell_texture(spec, range, *look.textures), g.grid0, g.grid1);
  bool has_minus_infinity = false;
  std::size_t widest = 0;
  for (Eigen::Index i = 0; i < m.size() && i <= 900; ++i) {
    const double v = m.data()[i];
    has_minus_infinity |= is_minus_infinity(v);
    if (std::isfinite(v)) widest = std::max(widest, glyph_count(notation.format(v)));
  }
  for (Eigen::Index i = 901; i < m.size() && !has_minus_infinity; ++i)
    has_minus_infinity = is_minus_infinity(m.data()[i]);
  const bool numbers_fit = g.rows * g.cols <= 900 && g.cell_h >= g.line &&
                           ImGui::CalcTextSize(std::string(widest, '0').c_str()).x <= g.cell_w - 3;
  for (int r = 0; r < g.rows && (numbers_fit || has_minus_infinity); ++r)
    for (int c = 0; c < g.cols; ++c) {
      const double v = m(r, c);
      const ImVec2 a = g.cell_min(r, c);
      if (is_minus_infinity(v)) hatch(draw, a, g.cell_max(r, c));
      if (!numbers_fit) continue;
      const std::string text = notation.format(v);
      const ImVec2 size = ImGui::CalcTextSize(text.c_str());
      const ImU32 bg = std::isfinite(v) ? colour_of(v, spec.scale, range) : minus_infinity_fill;
      draw->AddText(ImVec2(a.x + (g.cell_w - size.x) / 2, a.y + (g.cell_h - size.y) / 2), text_on(bg), text.c_str());
    }
  if (g.cell_w >= 8 && g.cell_h >= 8) {
    const ImU32 line = look.theme == Theme::light ? IM_COL32(255, 255, 255, 160) : IM_COL32(30, 30, 34, 160);
    for (int c = 1; c < g.cols; ++c) draw->AddLine(g.cell_min(0, c), ImVec2(g.cell_min(0, c).x, g.grid1.y), line);
    for (int r = 1; r < g.rows; ++r) draw->AddLine(g.cell_min(r, 0), ImVec2(g.grid1.x, g.cell_min(r, 0).y), line);
  }
  draw->AddRect(g.grid0, g.grid1, palette(look.theme).block_border);
  return has_minus_infinity;
}

// A token's label in the accent colour when selected, the hover colour when hovered.
ImU32 token_colour(const Selection& selection, TokenSide side, int i, const Palette& pal) {
  if (side == TokenSide::none) return pal.text;
  if (selection.token == TokenRef{side, i}) return pal.accent;
  if (selection.hover.token == TokenRef{side, i}) return pal.hover_outline;
  return pal.text;
}

// Row labels left of the grid (every few rows when rows are thinner than a line); column labels
// above it: words across, words upright, or every k-th index (see column_labels).
void draw_labels(ImDrawList* draw, const HeatmapSpec& spec, const Grid& g, const Selection& selection,
                 const Palette& pal) {
  draw->PushClipRect(g.origin, ImVec2(g.grid0.x - 2, g.grid1.y), true);
  for (int r = 0; r < g.rows; ++r) {
    const std::string text = label_or_index(spec.row_labels, r);
    const float y = g.cell_min(r, 0).y + (g.cell_h - g.line) / 2;
    if (g.cell_h >= g.line * 0.8f || r % std::max(1, static_cast<int>(g.line / g.cell_h) + 1) == 0)
      draw->AddText(ImVec2(g.origin.x, y), token_colour(selection, spec.row_tokens, r, pal), text.c_str());
  }
  draw->PopClipRect();
  for (int c = 0; c < g.cols; c += g.columns.every) {
    const ImU32 colour = token_colour(selection, spec.col_tokens, c, pal);
    if (g.columns.upright) {
      const std::string shown = fit_label(label_or_index(spec.col_labels, c), g.columns.room);
      upright_text(draw, ImVec2(g.cell_min(0, c).x + (g.cell_w - g.line) / 2, g.grid0.y - 3), colour, shown);
      continue;
    }
    const std::string shown =
        g.columns.words ? fit_label(label_or_index(spec.col_labels, c), g.columns.room) : std::to_string(c);
    const float w = ImGui::CalcTextSize(shown.c_str()).x;
    draw->AddText(ImVec2(g.cell_min(0, c).x + (g.cell_w - w) / 2, g.origin.y), colour, shown.c_str());
  }
}

// The chosen token's row or column and feature's column (accent), the hovered ones (hover
// colour), the marks, and the selected element.
void draw_highlights(ImDrawList* draw, const HeatmapSpec& spec, const Grid& g, const Selection& selection,
                     const Palette& pal) {
  const auto outline_row = [&](int r, ImU32 colour) {
    draw->AddRect(ImVec2(g.grid0.x - 1, g.cell_min(r, 0).y), ImVec2(g.grid1.x + 1, g.cell_max(r, 0).y), colour, 0, 0,
                  2.0f);
  };
  const auto outline_col = [&](int c, ImU32 colour) {
    draw->AddRect(ImVec2(g.cell_min(0, c).x, g.grid0.y - 1), ImVec2(g.cell_max(0, c).x, g.grid1.y + 1), colour, 0, 0,
                  2.0f);
  };
  const auto outline_focus = [&](TokenRef token, int feature, ImU32 colour) {
    if (token.valid() && token.side == spec.row_tokens && token.index < g.rows) outline_row(token.index, colour);
    if (token.valid() && token.side == spec.col_tokens && token.index < g.cols) outline_col(token.index, colour);
    if (feature >= 0 && spec.col_features && feature < g.cols) outline_col(feature, colour);
  };
  outline_focus(selection.token, selection.feature, pal.accent);
  outline_focus(selection.hover.token, selection.hover.feature, pal.hover_outline);
  for (const Mark& mark : spec.marks) {
    if (mark.row >= g.rows || mark.col >= g.cols) continue;
    if (mark.col < 0) {
      outline_row(mark.row, mark.colour);
      continue;
    }
    const ImVec2 a = g.cell_min(mark.row, mark.col), b = g.cell_max(mark.row, mark.col);
    // A band of the mark's colour with a thin line of the panel colour inside it, so it stands out
    // on any cell colour.
    draw->AddRect(ImVec2(a.x + 1.5f, a.y + 1.5f), ImVec2(b.x - 1.5f, b.y - 1.5f), mark.colour, 0, 0, 3.0f);
    if (g.cell_w >= 10 && g.cell_h >= 10)
      draw->AddRect(ImVec2(a.x + 3.5f, a.y + 3.5f), ImVec2(b.x - 3.5f, b.y - 3.5f), pal.panel, 0, 0, 1.0f);
  }
  const ElementRef& e = selection.element;
  const bool here = e.step == spec.element.step && e.slot == spec.element.slot && e.index == spec.element.index;
  if (e.valid() && here && e.row < g.rows && e.col < g.cols) {
    const ImVec2 a = g.cell_min(e.row, e.col), b = g.cell_max(e.row, e.col);
    draw->AddRect(ImVec2(a.x - 2, a.y - 2), ImVec2(b.x + 2, b.y + 2), pal.selection_outline, 0, 0, 3.0f);
  }
}

// The cells under the mouse: hover (element, token, feature) and its tooltip, a click selects
// them.  Returns true when clicked.
bool cells_pointed_at(const HeatmapSpec& spec, const Grid& g, Selection& selection) {
  const Mat& m = *spec.values;
  ImGui::SetCursorScreenPos(g.grid0);
  ImGui::InvisibleButton("cells", ImVec2(g.grid1.x - g.grid0.x, g.grid1.y - g.grid0.y));
  if (!ImGui::IsItemHovered()) return false;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  ElementRef e = spec.element;
  e.col = std::clamp(static_cast<int>((mouse.x - g.grid0.x) / g.cell_w), 0, g.cols - 1);
  e.row = std::clamp(static_cast<int>((mouse.y - g.grid0.y) / g.cell_h), 0, g.rows - 1);
  selection.hover.element = e;
  if (spec.row_tokens != TokenSide::none)
    selection.hover.token = {spec.row_tokens, e.row};
  else if (spec.col_tokens != TokenSide::none)
    selection.hover.token = {spec.col_tokens, e.col};
  if (spec.col_features) selection.hover.feature = e.col;
  ImGui::BeginTooltip();
  ImGui::Text("%s · %s", label_or_index(spec.row_labels, e.row).c_str(),
              label_or_index(spec.col_labels, e.col).c_str());
  ImGui::Text("[%d, %d] = %.6g", e.row, e.col, m(e.row, e.col));
  ImGui::EndTooltip();
  if (!ImGui::IsItemClicked()) return false;
  selection.element = e;
  if (spec.row_tokens != TokenSide::none) selection.token = {spec.row_tokens, e.row};
  if (spec.col_features) selection.feature = e.col;
  return true;
}

// The row and column labels under the mouse: hover their token, a click chooses it.
void labels_pointed_at(const HeatmapSpec& spec, const Grid& g, Selection& selection) {
  ImGui::SetCursorScreenPos(g.origin);
  ImGui::InvisibleButton("row_labels", ImVec2(std::max(1.0f, g.label_w - 2), std::max(1.0f, g.grid1.y - g.origin.y)));
  if (ImGui::IsItemHovered() && spec.row_tokens != TokenSide::none) {
    const int r = static_cast<int>((ImGui::GetIO().MousePos.y - g.grid0.y) / g.cell_h);
    if (r >= 0 && r < g.rows) {
      selection.hover.token = {spec.row_tokens, r};
      if (ImGui::IsItemClicked()) selection.token = {spec.row_tokens, r};
    }
  }
  ImGui::SetCursorScreenPos(ImVec2(g.grid0.x, g.origin.y));
  ImGui::InvisibleButton("col_labels", ImVec2(g.grid1.x - g.grid0.x, g.columns.header_h - 2));
  if (ImGui::IsItemHovered() && spec.col_tokens != TokenSide::none) {
    const int c = static_cast<int>((ImGui::GetIO().MousePos.x - g.grid0.x) / g.cell_w);
    if (c >= 0 && c < g.cols) {
      selection.hover.token = {spec.col_tokens, c};
      if (ImGui::IsItemClicked()) selection.token = {spec.col_tokens, c};
    }
  }
}

// The heatmap itself: caption, labelled cells, colour bar.
bool heatmap_alone(const HeatmapSpec& spec, const HeatmapLook& look, Selection& selection) {
  const Mat& m = *spec.values;
  const Palette& pal = palette(look.theme);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() +
                         (spec.max_width > 0 ? spec.max_width : ImGui::GetContentRegionAvail().x));
  const Notation notation = notation_for(m);
  ImGui::TextUnformatted(notation.exponent == 0 ? spec.caption.c_str()
                                                : (spec.caption + "  (" + notation.scale_text() + ")").c_str());
  ImGui::PopTextWrapPos();
  if (m.rows() == 0 || m.cols() == 0) {
    ImGui::TextDisabled(tr("(empty)"));
    return false;
  }
  const Grid g = grid_geometry(spec);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ValueRange range = value_range(m, spec.scale);
  const bool has_minus_infinity = draw_cells(draw, spec, g, range, notation, look);
  draw_labels(draw, spec, g, selection, pal);
  draw_highlights(draw, spec, g, selection, pal);
  const bool clicked = cells_pointed_at(spec, g, selection);
  labels_pointed_at(spec, g, selection);
  const ImVec2 bar_at(g.grid0.x, g.grid1.y + 4);
  const float bar_w = std::clamp(g.grid1.x - g.grid0.x, g.digit * 18, g.digit * 26);
  const float right = g.origin.x + (spec.max_width > 0 ? spec.max_width : ImGui::GetContentRegionAvail().x);
  const float bar_h = colour_bar(draw, bar_at, bar_w, right, spec, range, notation, has_minus_infinity, pal);
  ImGui::SetCursorScreenPos(ImVec2(g.origin.x, bar_at.y));
  ImGui::Dummy(ImVec2(g.label_w + bar_w, bar_h + 6));
  return clicked;
}

}  // namespace

bool draw_heatmap(const HeatmapSpec& spec, const HeatmapLook& look, Selection& selection) {
  ImGui::PushID(static_cast<int>(spec.texture_key & 0x7fffffff));
  bool clicked = false;
  const std::string title = spec.caption.substr(0, spec.caption.find('\n'));
  const std::string name = spec.name.empty() ? title : spec.name.substr(0, spec.name.find('\n'));
  figure(
      name,
      [&](float scale) {
        HeatmapSpec scaled = spec;
        if (scale != 1)
          scaled.max_width = ImGui::GetContentRegionAvail().x;  // the picture's: twice the heatmap's width
        clicked |= heatmap_alone(scaled, look, selection);
      },
      FigureCsv{spec.values, spec.row_labels, spec.col_labels}, title);
  ImGui::PopID();
  return clicked;
}

void HeatmapRow::draw(HeatmapSpec& spec, float width, int id, const HeatmapLook& look, Selection& selection) {
  spec.max_width = width;
  if (count > 0 && used + width <= full)
    ImGui::SameLine(0, gap);
  else
    used = 0;
  used += width + gap;
  ++count;
  ImGui::PushID(id);
  ImGui::BeginGroup();
  draw_heatmap(spec, look, selection);
  ImGui::EndGroup();
  ImGui::PopID();
}

}  // namespace attnviz::views
