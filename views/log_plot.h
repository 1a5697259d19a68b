#pragma once
// Small plots on a logarithmic y axis, drawn with the window's draw list: a line plot (one point
// per index, several curves) and a grouped bar plot (one group per label, one bar per series).
// Values that are 0 or not finite have no point or bar; the axis spans the positive finite values
// in whole decades.  Hovering reports the index under the mouse, clicking reports it once.

#include "views/theme.h"

#include <imgui.h>

#include <span>
#include <string>
#include <vector>

namespace attnviz::views {

struct PlotSeries {
  std::string name;                // shown in the legend
  std::span<const double> values;  // one per index (line) or per group (bars)
  ImU32 colour = 0;
};

struct PlotHit {
  int hovered = -1;  // index (line) or group (bars) under the mouse
  int series = -1;   // bars: the series of the bar under the mouse; −1 between bars
  int clicked = -1;  // index or group clicked this frame
  int clicked_series = -1;
};

struct LogLinePlot {
  const char* id = "plot";
  std::string title;  // the figure's name (Save picture…); empty: the y label
  std::vector<PlotSeries> series;
  std::string x_label, y_label;
  int x_first = 0;     // the number written under index 0
  int highlight = -1;  // an index drawn with a vertical marker
  ImVec2 size{0, 0};   // 0: the available width / height
};
// Both plots are figures (figure.h): a right-click offers Save picture….
PlotHit draw_log_line_plot(const LogLinePlot& plot, const Palette& pal);

struct LogBarPlot {
  const char* id = "bars";
  std::string title;  // the figure's name (Save picture…); empty: the y label
  std::vector<PlotSeries> series;
  std::span<const std::string> group_labels;  // written under the groups when they fit
  std::span<const std::string> group_titles;  // in the tooltip (empty: the labels)
  std::string y_label;
  int highlight = -1;         // a group drawn on a tinted background
  int selected_bar = -1;      // series of the outlined bar within `highlight`, −1 for none
  float min_group_width = 0;  // wider than the space available: the plot scrolls sideways
  float height = 0;
  int max_decades = 0;  // > 0: the axis spans at most this many decades below the top; a
                        // smaller value is a short bar on the floor with an arrow, and 0 (an
                        // underflow) a hollow one
};
PlotHit draw_log_bar_plot(const LogBarPlot& plot, const Palette& pal);

// Tokens laid out like words, wrapped only between tokens (never inside a number), in `colour`.
void flow_tokens(std::span<const std::string> tokens, ImU32 colour, float indent = 0);

// "1e-4", "0.01", "1", "100": a decade as a tick label.
std::string decade_label(int exponent);

}  // namespace attnviz::views
