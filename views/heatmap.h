#pragma once
// A labelled heatmap of one matrix: caption, token names on rows and columns, values printed in
// the cells when they fit, a colour bar with the range, −∞ cells hatched and labelled.
// The cell colours are one texture (one quad per frame); numbers and outlines are drawn on top.
// Hovering sets Selection::hover, clicking sets the selected element, token and feature; a
// right-click offers Copy as CSV and Save picture… (a figure: figure.h).

#include "model/number_format.h"
#include "model/tensor.h"
#include "views/colormap.h"
#include "views/selection.h"
#include "views/texture_cache.h"
#include "views/theme.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace attnviz::views {

// An element outlined in a colour: a chain-rule factor, say; col −1 outlines the whole row.
struct Mark {
  int row = 0, col = 0;
  ImU32 colour = 0;
};

struct HeatmapSpec {
  std::string caption;  // "Q, head 2: 5 source tokens × 4 features"
  std::string name;     // the figure's English name (file name, --picture): the
                        // caption in English (in_english()); empty: the caption's
                        // first line.  Its menu shows the caption's first line.
  const Mat* values = nullptr;
  ColourScale scale = ColourScale::diverging;
  std::uint64_t texture_key = 0;                        // changes whenever `values` may have changed
  ElementRef element;                                   // step, slot and index this matrix is; row/col unused
  std::span<const std::string> row_labels, col_labels;  // empty: indices
  TokenSide row_tokens = TokenSide::none, col_tokens = TokenSide::none;
  bool col_features = false;  // columns are feature dimensions
  std::span<const Mark> marks;
  float max_width = 0;  // 0: the available width
};

struct HeatmapLook {
  Theme theme = Theme::light;
  TextureCache* textures = nullptr;
};

// Returns true when an element was clicked this frame.
bool draw_heatmap(const HeatmapSpec& spec, const HeatmapLook& look, Selection& selection);

// Heatmaps left to right, `gap` apart, a new row where the next would pass `full`.  Each is one
// group item (ImGui::GetItemRectMin/Max give its rectangle, caption to colour bar, after draw).
struct HeatmapRow {
  float full = 0, gap = 0;
  float used = 0;
  int count = 0;
  // Draws `spec` `width` wide (its max_width) under the ID `id`.
  void draw(HeatmapSpec& spec, float width, int id, const HeatmapLook& look, Selection& selection);
};

// Which column indices a heatmap of `cols` columns `cell_w` wide writes: every k-th, k the
// smallest of 1, 2, 5, 10, 20, 50, … whose k cells hold the widest index and a digit's space
// (512 columns 1.5 px wide, digits 7 px: every 20th, "0 20 40 …").
int index_label_every(int cols, float cell_w, float digit);

// `text` reading upwards from `at`, the left edge of its line, in the current font.
void upright_text(ImDrawList* draw, ImVec2 at, ImU32 colour, const std::string& text);

// How a heatmap writes its column labels over cells `cell_w` wide: words across the cell when they
// fit (cut with "…" from three digits' width); words reading upwards, in full up to ten digits,
// when they do not but a cell holds a line's height ("<pad>" over narrow mask columns); else every
// `every`-th index.  `header_h`: the height above the grid; `room`: the length a label may take.
struct ColumnLabels {
  bool words = false, upright = false;
  int every = 1;
  float header_h = 0, room = 0;
};
ColumnLabels column_labels(std::span<const std::string> labels, int cols, float cell_w, float line, float digit);

// The range a matrix is drawn over: symmetric ±max|v| for diverging, [0, 1] (or the data's range
// when it leaves [0, 1]) for sequential.  Non-finite values are ignored.
ValueRange value_range(const Mat& values, ColourScale scale);

}  // namespace attnviz::views
