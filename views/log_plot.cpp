#include "views/log_plot.h"

#include "views/figure.h"

#include "views/heatmap.h"
#include "views/i18n.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnviz::views {
namespace {

// The decades the positive finite values span: [10^lo, 10^hi], at least one decade.
struct LogRange {
  int lo = -1, hi = 1;
  float t(double v) const {  // 0 at 10^lo, 1 at 10^hi
    return static_cast<float>((std::log10(v) - lo) / (hi - lo));
  }
};

bool drawable(double v) { return std::isfinite(v) && v > 0; }

LogRange log_range(const std::vector<PlotSeries>& series) {
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (const PlotSeries& s : series)
    for (double v : s.values)
      if (drawable(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  if (!(lo <= hi)) return {};
  LogRange r{static_cast<int>(std::floor(std::log10(lo))), static_cast<int>(std::ceil(std::log10(hi)))};
  if (r.hi <= r.lo) r.hi = r.lo + 1;
  return r;
}

ImU32 faded(ImU32 colour, int alpha) {
  return (colour & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT);
}

// Decade step between labelled grid lines so that labels are at least `min_gap` pixels apart.
int decade_step(const LogRange& r, float height, float min_gap) {
  int step = 1;
  while (step < r.hi - r.lo && height * static_cast<float>(step) / static_cast<float>(r.hi - r.lo) < min_gap) ++step;
  return step;
}

float legend_width(const std::vector<PlotSeries>& series) {
  const float swatch = ImGui::GetFontSize();
  float w = 0;
  for (const PlotSeries& s : series) w += swatch * 1.8f + ImGui::CalcTextSize(s.name.c_str()).x;
  return w;
}

// Colour swatches and names from `at`, a new row where the next would pass `width`; returns the rows.
int draw_legend(ImDrawList* dl, ImVec2 at, const std::vector<PlotSeries>& series, const Palette& pal, float width) {
  const float swatch = ImGui::GetFontSize(), line = ImGui::GetTextLineHeightWithSpacing();
  const float left = at.x;
  int rows = 1;
  for (const PlotSeries& s : series) {
    const float w = swatch * 1.2f + ImGui::CalcTextSize(s.name.c_str()).x;
    if (at.x > left && at.x + w > left + width) {
      at = ImVec2(left, at.y + line);
      ++rows;
    }
    dl->AddRectFilled(ImVec2(at.x, at.y + swatch * 0.2f), ImVec2(at.x + swatch * 0.9f, at.y + swatch * 0.95f),
                      s.colour);
    dl->AddText(ImVec2(at.x + swatch * 1.2f, at.y), pal.text, s.name.c_str());
    at.x += w + swatch * 0.6f;
  }
  return rows;
}

// Horizontal grid lines and decade labels right-aligned left of `x0`.
void draw_y_axis(ImDrawList* dl, const LogRange& r, float x0, float x1, float y_top, float y_bottom,
                 const Palette& pal) {
  const float h = y_bottom - y_top;
  const int step = decade_step(r, h, ImGui::GetFontSize() * 1.6f);
  for (int e = r.lo; e <= r.hi; ++e) {
    const float y = y_bottom - h * static_cast<float>(e - r.lo) / static_cast<float>(r.hi - r.lo);
    dl->AddLine(ImVec2(x0, y), ImVec2(x1, y), faded(pal.text_dim, (e - r.lo) % step == 0 ? 70 : 30));
    if ((e - r.lo) % step != 0) continue;
    const std::string label = decade_label(e);
    const ImVec2 size = ImGui::CalcTextSize(label.c_str());
    dl->AddText(ImVec2(x0 - size.x - ImGui::GetFontSize() * 0.3f, y - size.y * 0.5f), pal.text_dim, label.c_str());
  }
  dl->AddLine(ImVec2(x0, y_top), ImVec2(x0, y_bottom), pal.text_dim);
  dl->AddLine(ImVec2(x0, y_bottom), ImVec2(x1, y_bottom), pal.text_dim);
}

float y_margin(const LogRange& r) {
  float w = 0;
  for (int e = r.lo; e <= r.hi; ++e) w = std::max(w, ImGui::CalcTextSize(decade_label(e).c_str()).x);
  return w + ImGui::GetFontSize() * 0.6f;
}

std::size_t series_length(const std::vector<PlotSeries>& series) {
  std::size_t n = 0;
  for (const PlotSeries& s : series) n = std::max(n, s.values.size());
  return n;
}

}  // namespace

void flow_tokens(std::span<const std::string> tokens, ImU32 colour, float indent) {
  const float right = ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x;
  const float space = ImGui::CalcTextSize(" ").x;
  bool first = true;
  for (const std::string& token : tokens) {
    const float w = ImGui::CalcTextSize(token.c_str()).x;
    if (!first) {
      ImGui::SameLine(0, space);
      if (ImGui::GetCursorPosX() + w > right) ImGui::NewLine();
    }
    if (ImGui::GetCursorPosX() < indent) ImGui::SetCursorPosX(indent);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colour), "%s", token.c_str());
    first = false;
  }
}

std::string decade_label(int exponent) {
  if (exponent >= 0 && exponent <= 3) {
    const char* plain[] = {"1", "10", "100", "1000"};
    return plain[exponent];
  }
  if (exponent == -1) return "0.1";
  if (exponent == -2) return "0.01";
  char text[16];
  std::snprintf(text, sizeof text, "1e%d", exponent);
  return text;
}

namespace {

// A line plot's frame: x from x0 to x1, y from y_top to y_bottom, points `dx` apart.
struct LineFrame {
  float x0, x1, y_top, y_bottom, dx, font;
  LogRange r;
  float px(std::size_t i) const { return x0 + font * 0.5f + dx * static_cast<float>(i); }
  float py(double v) const { return y_bottom - (y_bottom - y_top) * r.t(v); }
};

// Every k-th index under the axis so that labels do not touch, and the axis title.
void x_ticks(ImDrawList* dl, const LogLinePlot& plot, const LineFrame& f, std::size_t n, const Palette& pal) {
  const float font = f.font, line = ImGui::GetTextLineHeightWithSpacing();
  const float label_w = ImGui::CalcTextSize(std::to_string(plot.x_first + static_cast<int>(n)).c_str()).x + font;
  std::size_t every = 1;
  while (f.dx * static_cast<float>(every) < label_w) every = every < 2 ? 2 : every < 5 ? 5 : every + 5;
  for (std::size_t i = 0; i < n; i += every) {
    const std::string label = std::to_string(plot.x_first + static_cast<int>(i));
    const float w = ImGui::CalcTextSize(label.c_str()).x;
    dl->AddLine(ImVec2(f.px(i), f.y_bottom), ImVec2(f.px(i), f.y_bottom + font * 0.3f), pal.text_dim);
    dl->AddText(ImVec2(f.px(i) - w * 0.5f, f.y_bottom + font * 0.3f), pal.text_dim, label.c_str());
  }
  const float title_w = ImGui::CalcTextSize(plot.x_label.c_str()).x;
  dl->AddText(ImVec2((f.x0 + f.x1 - title_w) * 0.5f, f.y_bottom + line), pal.text_dim, plot.x_label.c_str());
}

// Each series as a line through its drawable values (broken where one is not), with dots when
// there are 70 points or fewer.
void curves(ImDrawList* dl, const std::vector<PlotSeries>& series, const LineFrame& f) {
  for (const PlotSeries& s : series) {
    bool pen = false;
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      if (!drawable(s.values[i])) {
        pen = false;
        continue;
      }
      const ImVec2 p(f.px(i), f.py(s.values[i]));
      if (pen)
        dl->PathLineTo(p);
      else {
        dl->PathStroke(s.colour, 0, 2.5f);
        dl->PathLineTo(p);
        pen = true;
      }
    }
    dl->PathStroke(s.colour, 0, 2.5f);
    if (s.values.size() <= 70)
      for (std::size_t i = 0; i < s.values.size(); ++i)
        if (drawable(s.values[i])) dl->AddCircleFilled(ImVec2(f.px(i), f.py(s.values[i])), 3.5f, s.colour, 8);
  }
}

// The index nearest the mouse: a vertical line there and every series' value in a tooltip.
int line_hover(ImDrawList* dl, const LogLinePlot& plot, const LineFrame& f, std::size_t n, const Palette& pal) {
  const float mx = ImGui::GetIO().MousePos.x;
  const float x = f.dx > 0 ? (mx - f.px(0)) / f.dx : 0;
  const int i = std::clamp(static_cast<int>(std::lround(x)), 0, static_cast<int>(n) - 1);
  const float at = f.px(static_cast<std::size_t>(i));
  dl->AddLine(ImVec2(at, f.y_top), ImVec2(at, f.y_bottom), pal.hover_outline, 1.5f);
  ImGui::BeginTooltip();
  ImGui::Text("%s %d", plot.x_label.c_str(), plot.x_first + i);
  for (const PlotSeries& s : plot.series)
    if (static_cast<std::size_t>(i) < s.values.size())
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.colour), "%s  %s", s.name.c_str(),
                         format_significant(s.values[static_cast<std::size_t>(i)], 4).c_str());
  ImGui::EndTooltip();
  return i;
}

}  // namespace

namespace {

PlotHit log_line_plot_alone(const LogLinePlot& plot, const Palette& pal) {
  PlotHit hit;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 size(plot.size.x > 0 ? plot.size.x : avail.x, plot.size.y > 0 ? plot.size.y : avail.y);
  const float font = ImGui::GetFontSize(), line = ImGui::GetTextLineHeightWithSpacing();
  if (size.x < font * 8 || size.y < line * 5) {
    ImGui::TextDisabled(tr("(too small to plot)"));
    return hit;
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(plot.id, size);
  const bool hovered = ImGui::IsItemHovered(), clicked = ImGui::IsItemClicked();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const LogRange r = log_range(plot.series);
  const std::size_t n = series_length(plot.series);
  // Legend and y label on top, x labels and the x axis title below.
  const int legend_rows = draw_legend(dl, origin, plot.series, pal, size.x);
  const float top = origin.y + line * (static_cast<float>(legend_rows) + 0.2f);
  dl->AddText(ImVec2(origin.x, top), pal.text_dim, plot.y_label.c_str());
  LineFrame f{
      origin.x + y_margin(r), origin.x + size.x - font, top + line * 1.2f, origin.y + size.y - line * 2.1f, 0, font, r};
  draw_y_axis(dl, r, f.x0, f.x1, f.y_top, f.y_bottom, pal);
  if (n == 0) return hit;
  f.dx = n > 1 ? (f.x1 - f.x0 - font) / static_cast<float>(n - 1) : 0;
  x_ticks(dl, plot, f, n, pal);
  if (plot.highlight >= 0 && static_cast<std::size_t>(plot.highlight) < n) {
    const float at = f.px(static_cast<std::size_t>(plot.highlight));
    dl->AddRectFilled(ImVec2(at - font * 0.4f, f.y_top), ImVec2(at + font * 0.4f, f.y_bottom),
                      faded(pal.current_block, 110));
  }
  curves(dl, plot.series, f);
  if (hovered) {
    hit.hovered = line_hover(dl, plot, f, n, pal);
    if (clicked) hit.clicked = hit.hovered;
  }
  return hit;
}

// A bar plot's frame inside its scrolling child: groups `group_w` wide from x0, bars `bar_w`
// wide, y from y_top to y_bottom over the decades of r (values below floor_value on the floor).
struct BarFrame {
  float x0, y_top, y_bottom, group_w, bar_w, font;
  LogRange r;
  double floor_value;
  float group_x(std::size_t g) const { return x0 + font * 0.5f + group_w * static_cast<float>(g); }
  float py(double v) const { return y_bottom - (y_bottom - y_top) * r.t(v); }
};

// The legend (and the y label beside it when both fit) above the scrolling part, so it stays in
// view.  Returns its rows.
int bar_legend(const LogBarPlot& plot, const Palette& pal, float avail) {
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float y_label_w = ImGui::CalcTextSize(plot.y_label.c_str()).x;
  const bool label_beside = legend_width(plot.series) + y_label_w + ImGui::GetFontSize() * 2 < avail;
  const int rows = draw_legend(ImGui::GetWindowDrawList(), at, plot.series, pal, avail);
  if (label_beside)
    ImGui::GetWindowDrawList()->AddText(ImVec2(at.x + avail - y_label_w, at.y), pal.text_dim, plot.y_label.c_str());
  ImGui::Dummy(ImVec2(avail, ImGui::GetTextLineHeightWithSpacing() * static_cast<float>(rows)));
  return rows;
}

// Bar s of group g with value v: from the floor up to v; below what the axis shows, a short bar
// on the floor, filled under an arrowhead, or hollow for 0 (an underflow).
void bar(ImDrawList* dl, const LogBarPlot& plot, const BarFrame& f, std::size_t g, std::size_t s, const Palette& pal) {
  const double v = plot.series[s].values[g];
  const ImU32 colour = plot.series[s].colour;
  const float bx = f.group_x(g) + f.group_w * 0.1f + f.bar_w * static_cast<float>(s);
  const float bx1 = bx + std::max(1.0f, f.bar_w - 1), font = f.font;
  if (v == 0 || (drawable(v) && v < f.floor_value)) {
    const ImVec2 a(bx, f.y_bottom - font * 0.6f), b(bx1, f.y_bottom);
    if (v == 0) {
      dl->AddRect(a, b, colour, 0, 0, 1.5f);
      return;
    }
    dl->AddRectFilled(a, b, colour);
    const float cx = (bx + bx1) * 0.5f, half_w = std::min(font * 0.35f, (bx1 - bx) * 0.5f);
    dl->AddTriangleFilled(ImVec2(cx - half_w, a.y - font * 0.55f), ImVec2(cx + half_w, a.y - font * 0.55f),
                          ImVec2(cx, a.y - font * 0.1f), colour);
    return;
  }
  if (!drawable(v)) return;
  const ImVec2 a(bx, f.py(v)), b(bx1, f.y_bottom);
  dl->AddRectFilled(a, b, colour);
  if (static_cast<int>(g) == plot.highlight && static_cast<int>(s) == plot.selected_bar)
    dl->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y), pal.selection_outline, 0, 0, 2.5f);
}

// Group labels under the bars: one row when they fit, two staggered rows, or every k-th label.
void group_labels(ImDrawList* dl, const LogBarPlot& plot, const BarFrame& f, int label_rows, std::size_t every,
                  const Palette& pal) {
  const float line = ImGui::GetTextLineHeightWithSpacing();
  for (std::size_t g = 0; g < plot.group_labels.size(); g += every) {
    const std::string& label = plot.group_labels[g];
    const float w = ImGui::CalcTextSize(label.c_str()).x;
    const int row = label_rows == 2 ? static_cast<int>((g / every) % 2) : 0;
    dl->AddText(ImVec2(std::max(f.x0 + 2, f.group_x(g) + (f.group_w - w) * 0.5f),
                       f.y_bottom + f.font * 0.3f + line * static_cast<float>(row)),
                pal.text_dim, label.c_str());
  }
}

// The group under the mouse (right of the y axis at `left_edge`): outlined, its bars' values in a
// tooltip, the bar under the mouse marked.
void bar_hover(ImDrawList* dl, const LogBarPlot& plot, const BarFrame& f, std::size_t groups, float left_edge,
               const Palette& pal, PlotHit& hit) {
  const ImVec2 m = ImGui::GetIO().MousePos;
  const float x = (m.x - f.group_x(0)) / f.group_w;
  if (x < 0 || x >= static_cast<float>(groups) || m.x <= left_edge) return;
  const std::size_t g = static_cast<std::size_t>(x), ns = plot.series.size();
  hit.hovered = static_cast<int>(g);
  const float in = m.x - f.group_x(g) - f.group_w * 0.1f;
  if (in >= 0 && in < f.bar_w * static_cast<float>(ns)) hit.series = static_cast<int>(in / f.bar_w);
  dl->AddRect(ImVec2(f.group_x(g), f.y_top), ImVec2(f.group_x(g) + f.group_w, f.y_bottom), pal.hover_outline, 0, 0,
              1.5f);
  ImGui::BeginTooltip();
  if (g < plot.group_titles.size())
    ImGui::TextUnformatted(plot.group_titles[g].c_str());
  else if (g < plot.group_labels.size())
    ImGui::TextUnformatted(plot.group_labels[g].c_str());
  for (std::size_t s = 0; s < ns; ++s) {
    const PlotSeries& series = plot.series[s];
    const double v = g < series.values.size() ? series.values[g] : 0;
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(series.colour), "%s %s  %s",
                       static_cast<int>(s) == hit.series ? "▶" : "  ", series.name.c_str(),
                       v == 0          ? tr("0 (underflow)")
                       : std::isnan(v) ? "—"
                                       : format_significant(v, 4).c_str());
  }
  ImGui::EndTooltip();
}

PlotHit log_bar_plot_alone(const LogBarPlot& plot, const Palette& pal) {
  PlotHit hit;
  const float font = ImGui::GetFontSize(), line = ImGui::GetTextLineHeightWithSpacing();
  const float height = plot.height > 0 ? plot.height : ImGui::GetContentRegionAvail().y;
  const std::size_t groups = std::max(series_length(plot.series), plot.group_labels.size());
  LogRange r = log_range(plot.series);
  if (plot.max_decades > 0 && r.hi - r.lo > plot.max_decades) r.lo = r.hi - plot.max_decades;
  const float margin = y_margin(r);
  const float avail = ImGui::GetContentRegionAvail().x;
  if (avail < font * 8 || height < line * 5 || groups == 0) {
    ImGui::TextDisabled(tr("(nothing to plot)"));
    return hit;
  }
  const int legend_rows = bar_legend(plot, pal, avail);
  const float group_w = std::max((avail - margin - font) / static_cast<float>(groups), plot.min_group_width);
  const float content_w = margin + group_w * static_cast<float>(groups) + font;
  const bool scrolls = content_w > avail + 1;
  const float child_h = height - line * static_cast<float>(legend_rows);
  if (!ImGui::BeginChild(plot.id, ImVec2(avail, child_h), false,
                         scrolls ? ImGuiWindowFlags_HorizontalScrollbar : ImGuiWindowFlags_None)) {
    ImGui::EndChild();
    return hit;
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float plot_h = child_h - (scrolls ? ImGui::GetStyle().ScrollbarSize : 0);
  ImGui::InvisibleButton("area", ImVec2(content_w, plot_h));
  const bool hovered = ImGui::IsItemHovered(), clicked = ImGui::IsItemClicked();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float label_max = 0;
  for (const std::string& l : plot.group_labels) label_max = std::max(label_max, ImGui::CalcTextSize(l.c_str()).x);
  const int label_rows = label_max <= group_w * 0.95f ? 1 : 2;
  std::size_t every = 1;
  while (label_max > group_w * 1.9f * static_cast<float>(every)) ++every;
  const BarFrame f{origin.x + margin,
                   origin.y + font * 0.5f,
                   origin.y + plot_h - line * static_cast<float>(label_rows) - font * 0.3f,
                   group_w,
                   group_w * 0.8f / static_cast<float>(std::max<std::size_t>(plot.series.size(), 1)),
                   font,
                   r,
                   std::pow(10.0, r.lo)};
  if (plot.highlight >= 0 && static_cast<std::size_t>(plot.highlight) < groups) {
    const float at = f.group_x(static_cast<std::size_t>(plot.highlight));
    dl->AddRectFilled(ImVec2(at, f.y_top), ImVec2(at + group_w, f.y_bottom), faded(pal.current_block, 90));
  }
  for (std::size_t g = 0; g < groups; ++g)
    for (std::size_t s = 0; s < plot.series.size(); ++s)
      if (g < plot.series[s].values.size()) bar(dl, plot, f, g, s, pal);
  group_labels(dl, plot, f, label_rows, every, pal);
  // The y axis stays at the visible left edge while the bars scroll under it.
  const float left = ImGui::GetWindowPos().x;
  dl->AddRectFilled(ImVec2(left, origin.y), ImVec2(left + margin, origin.y + plot_h), pal.panel);
  draw_y_axis(dl, r, left + margin, origin.x + content_w - font * 0.5f, f.y_top, f.y_bottom, pal);
  if (hovered) {
    bar_hover(dl, plot, f, groups, left + margin, pal, hit);
    if (clicked && hit.hovered >= 0) {
      hit.clicked = hit.hovered;
      hit.clicked_series = hit.series;
    }
  }
  ImGui::EndChild();
  return hit;
}

}  // namespace

PlotHit draw_log_line_plot(const LogLinePlot& plot, const Palette& pal) {
  PlotHit hit;
  figure(plot.title.empty() ? plot.y_label : plot.title, [&](float scale) {
    LogLinePlot scaled = plot;
    scaled.size = ImVec2(plot.size.x * scale, plot.size.y * scale);
    const PlotHit h = log_line_plot_alone(scaled, pal);
    if (scale == 1) hit = h;
  });
  return hit;
}

PlotHit draw_log_bar_plot(const LogBarPlot& plot, const Palette& pal) {
  PlotHit hit;
  figure(plot.title.empty() ? plot.y_label : plot.title, [&](float scale) {
    LogBarPlot scaled = plot;
    scaled.height = plot.height * scale;
    scaled.min_group_width = plot.min_group_width * scale;
    const PlotHit h = log_bar_plot_alone(scaled, pal);
    if (scale == 1) hit = h;
  });
  return hit;
}

}  // namespace attnviz::views
