#pragma once
// Small widgets the linked panels share: a signed bar plot, a line plot, horizontal probability
// bars, a matrix drawn as one texture that fills a given size, and texture keys.

#include "model/tensor.h"
#include "views/colormap.h"
#include "views/texture_cache.h"
#include "views/theme.h"

#include <imgui.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

namespace attnviz::views {

// A texture key from the run's generation and up to four numbers naming the picture.
std::uint64_t mix_key(std::uint64_t generation, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0,
                      std::uint64_t d = 0);

// The cells of `m` (R,C) as one R×C texture under `key`, uploaded only when the key is new.
ImTextureID matrix_texture(TextureCache& textures, std::uint64_t key, const Mat& m, ColourScale scale,
                           ValueRange range);

// Bars of `values` from a zero line (up for +, down for −), one per value, labels under the
// bars when they fit.  Returns the bar under the mouse, or −1; `marked` is outlined.
int bar_plot(const char* id, std::span<const double> values, std::span<const std::string> labels, ImVec2 size,
             const Palette& pal, int marked = -1);

// y against x = 0 … n−1, joined by lines, dots when there are few points; a zero line; the
// y range written at the left.  Returns the point under the mouse, or −1.
int line_plot(const char* id, std::span<const double> y, ImVec2 size, const Palette& pal, int marked = -1);

// One horizontal bar: the label, a bar of length p/p_max, the value.  Returns true if hovered.
bool probability_bar(const std::string& label, double p, double p_max, float label_w, float bar_w, ImU32 colour,
                     const Palette& pal, bool outlined);

// Begins a table of columns headed by `headers` (call ImGui::EndTable only when it returns true).
bool begin_headed_table(const char* id, std::initializer_list<const char*> headers, ImGuiTableFlags flags);

// A table row of text cells, on a background of `background` when it is not 0.
void text_row(std::initializer_list<std::string> cells, ImU32 background = 0);

// A line from `from` to `to` with an arrowhead `size` long at `to`; vertical or horizontal.
void arrow(ImDrawList* draw, ImVec2 from, ImVec2 to, ImU32 colour, float size);

// SameLine() when an item `width` wide still fits to the right of the last one; else a new line.
void same_line_if_fits(float width);

// `text` wrapped only at spaces, within `width` from where the line starts: a number such as
// "628.32" is never split (ImGui's own wrapping also breaks after '.').
void wrapped_words(const std::string& text, float width);

// Dim text wrapped at the window's edge.
void hint(const char* text);

// A title line in the accent colour with an optional dim hint after it.
void section_title(const char* title, const char* hint, const Palette& pal);

}  // namespace attnviz::views
