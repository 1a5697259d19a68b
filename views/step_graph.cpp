#include "views/step_graph.h"

#include "views/i18n.h"
#include "views/navigator_panel.h"
#include "views/plot.h"
#include "views/worked_example.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace attnviz::views {
namespace {

// "encoder.0.self_attn.x" → "X": the last part of a tensor's name, as the notes write a matrix.
std::string input_title(const std::string& name) {
  std::string title = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
  for (char& c : title) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return title;
}

// The nodes and edges: an input node for each activation read before any step made it.
void add_nodes_and_edges(const Trace& trace, StepGraph& g) {
  std::map<int, int> node_of;  // activation index → the node that made it (or is it)
  for (int s = 0; s < trace.forward_count(); ++s)
    for (TensorId in : trace.step(s).inputs)
      if (in.kind == TensorId::activation && !node_of.count(in.index)) {
        bool made = false;
        for (int p = 0; p < s && !made; ++p)
          for (TensorId out : trace.step(p).outputs) made |= out == in;
        if (made) continue;
        node_of[in.index] = static_cast<int>(g.nodes.size());
        g.nodes.push_back({-1, s, input_title(trace.tensor(in).name)});
      }
  for (int s = 0; s < trace.forward_count(); ++s) {
    const Step& step = trace.step(s);
    const int node = static_cast<int>(g.nodes.size());
    g.nodes.push_back({s, s, output_title(trace, step)});
    for (TensorId in : step.inputs) {
      const auto from = in.kind == TensorId::activation ? node_of.find(in.index) : node_of.end();
      if (from != node_of.end()) g.edges.push_back({from->second, node});
    }
    for (TensorId out : step.outputs)
      if (out.kind == TensorId::activation) node_of[out.index] = node;
  }
}

// The mean column of the nodes joined to `node` on level `level` (its readers or its sources),
// or `fallback` when none is.
float mean_column(const StepGraph& g, int node, int level, bool readers, float fallback) {
  float sum = 0;
  int count = 0;
  for (const FlowEdge& e : g.edges) {
    const int other = readers ? (e.from == node ? e.to : -1) : (e.to == node ? e.from : -1);
    if (other < 0 || g.nodes[static_cast<std::size_t>(other)].level != level) continue;
    sum += g.nodes[static_cast<std::size_t>(other)].column;
    ++count;
  }
  return count ? sum / static_cast<float>(count) : fallback;
}

// Columns: the widest level spread 0 … n−1; levels above it under their sources on the level
// below, levels below it under their readers on the level above; nodes of one level kept a
// column apart.
void place_columns(StepGraph& g) {
  std::vector<std::vector<int>> on_level(static_cast<std::size_t>(g.levels));
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    on_level[static_cast<std::size_t>(g.nodes[i].level)].push_back(static_cast<int>(i));
  int widest = 0;
  for (int l = 0; l < g.levels; ++l)
    if (on_level[static_cast<std::size_t>(l)].size() > on_level[static_cast<std::size_t>(widest)].size()) widest = l;
  g.columns = static_cast<int>(on_level[static_cast<std::size_t>(widest)].size());
  const float middle = static_cast<float>(g.columns - 1) / 2;
  const auto place = [&](int l, bool readers) {
    std::vector<int>& nodes = on_level[static_cast<std::size_t>(l)];
    for (int n : nodes)
      g.nodes[static_cast<std::size_t>(n)].column = mean_column(g, n, readers ? l + 1 : l - 1, readers, middle);
    std::stable_sort(nodes.begin(), nodes.end(), [&](int a, int b) {
      return g.nodes[static_cast<std::size_t>(a)].column < g.nodes[static_cast<std::size_t>(b)].column;
    });
    for (std::size_t k = 1; k < nodes.size(); ++k) {
      float& c = g.nodes[static_cast<std::size_t>(nodes[k])].column;
      c = std::max(c, g.nodes[static_cast<std::size_t>(nodes[k - 1])].column + 1);
    }
  };
  for (std::size_t k = 0; k < on_level[static_cast<std::size_t>(widest)].size(); ++k)
    g.nodes[static_cast<std::size_t>(on_level[static_cast<std::size_t>(widest)][k])].column = static_cast<float>(k);
  for (int l = widest + 1; l < g.levels; ++l) place(l, false);
  for (int l = widest - 1; l >= 0; --l) place(l, true);
  for (const FlowNode& n : g.nodes) g.columns = std::max(g.columns, static_cast<int>(std::ceil(n.column)) + 1);
}

}  // namespace

StepGraph step_graph(const Trace& trace) {
  StepGraph g;
  add_nodes_and_edges(trace, g);
  for (const FlowEdge& e : g.edges) {  // edges run from earlier nodes to later ones
    FlowNode& to = g.nodes[static_cast<std::size_t>(e.to)];
    to.level = std::max(to.level, g.nodes[static_cast<std::size_t>(e.from)].level + 1);
  }
  for (const FlowNode& n : g.nodes) g.levels = std::max(g.levels, n.level + 1);
  if (!g.nodes.empty()) place_columns(g);
  return g;
}

namespace {

// The drawn graph's geometry at scale `s` of the text: a heading line, then the levels bottom to
// top, blocks as wide as the longest title, a line (`pitch`) between neighbours for the arrows.
struct GraphFigure {
  float s = 1, L = 0, block_w = 0, block_h = 0, pad = 0;
  ImVec2 pitch;  // from one column (level) to the next
  ImVec2 origin;
  float bottom = 0;  // of level 0's blocks
  ImVec2 needed;     // at scale 1
  float x(float column) const { return origin.x + pad + block_w / 2 + column * pitch.x; }
  float y(int level) const { return bottom - static_cast<float>(level) * pitch.y; }  // a block's bottom
  ImVec2 min(const FlowNode& n) const { return ImVec2(x(n.column) - block_w / 2, y(n.level) - block_h); }
  ImVec2 max(const FlowNode& n) const { return ImVec2(x(n.column) + block_w / 2, y(n.level)); }
};

// Sets the window's font scale to the figure's.
GraphFigure graph_geometry(const StepGraph& g, float text_scale) {
  GraphFigure f;
  ImGui::SetWindowFontScale(1.0f);
  float L = ImGui::GetTextLineHeight(), title_w = 0;
  for (const FlowNode& n : g.nodes) title_w = std::max(title_w, ImGui::CalcTextSize(n.title.c_str()).x);
  const float columns = static_cast<float>(g.columns), levels = static_cast<float>(g.levels);
  f.needed = ImVec2(columns * (title_w + 1.2f * L) + (columns - 1) * 1.6f * L + 0.8f * L,
                    (1.4f + levels * 1.5f + (levels - 1) * 1.3f + 0.8f + 1.4f) * L);
  f.s = figure_scale(ImGui::GetContentRegionAvail(), f.needed, text_scale);
  ImGui::SetWindowFontScale(f.s);
  L = f.L = ImGui::GetTextLineHeight();
  f.block_w = title_w * f.s + 1.2f * L;
  f.block_h = 1.5f * L;
  f.pitch = ImVec2(f.block_w + 1.6f * L, f.block_h + 1.3f * L);
  f.pad = 0.4f * L;
  f.origin = ImGui::GetCursorScreenPos();
  f.bottom = f.origin.y + f.needed.y * f.s - f.pad - 1.4f * L;
  return f;
}

// The route of the edge from a (below) to b (above): up from a's top and across into b's
// bottom when b is on the next level; to a later level, up beside the levels between and into
// b's side (round b's right when a is under it).
std::vector<ImVec2> edge_route(const GraphFigure& f, const FlowNode& a, const FlowNode& b) {
  const ImVec2 from(f.x(a.column), f.y(a.level) - f.block_h);
  const float bx = f.x(b.column);
  if (b.level == a.level + 1) {
    const ImVec2 to(bx, f.y(b.level));
    if (std::abs(from.x - to.x) < 0.5f) return {from, to};
    const float mid = (from.y + to.y) / 2;
    return {from, ImVec2(from.x, mid), ImVec2(to.x, mid), to};
  }
  const float b_mid = f.y(b.level) - f.block_h / 2;
  if (std::abs(from.x - bx) >= f.block_w / 2 + f.L) {
    const float side = from.x > bx ? bx + f.block_w / 2 : bx - f.block_w / 2;
    return {from, ImVec2(from.x, b_mid), ImVec2(side, b_mid)};
  }
  const float above = from.y - (f.pitch.y - f.block_h) / 2, right = bx + f.block_w / 2 + (f.pitch.x - f.block_w) / 2;
  return {from, ImVec2(from.x, above), ImVec2(right, above), ImVec2(right, b_mid), ImVec2(bx + f.block_w / 2, b_mid)};
}

// An edge's route with its arrowhead at the reader (backward: at the node the tensor came from).
void draw_edge(ImDrawList* draw, const GraphFigure& f, std::vector<ImVec2> route, ImU32 colour, bool backward) {
  if (backward) std::reverse(route.begin(), route.end());
  const float t = std::max(1.5f, 0.11f * f.L);
  for (std::size_t i = 1; i + 1 < route.size(); ++i) draw->AddLine(route[i - 1], route[i], colour, t);
  arrow(draw, route[route.size() - 2], route.back(), colour, 0.45f * f.L);
}

// The forward step a step is, or is the backward twin of.
int forward_of(const Trace& trace, int step) {
  const Step& s = trace.step(step);
  return s.phase == Phase::forward ? step : s.twin;
}

// A node's tooltip: its step (an input: the step that reads it first) and what a click opens.
void node_tooltip(const Trace& trace, const FlowNode& n, int opens) {
  ImGui::BeginTooltip();
  if (n.step >= 0)
    ImGui::Text(tr("step %d: %s"), n.step, trace.step(n.step).label.c_str());
  else
    ImGui::Text(tr("the input %s, first read by step %d: %s"), n.title.c_str(), n.opens,
                trace.step(n.opens).label.c_str());
  ImGui::TextDisabled(tr("click: open step %d (%s)"), opens,
                      trace.step(opens).phase == Phase::backward ? tr("backward") : tr("forward"));
  ImGui::EndTooltip();
}

}  // namespace

void StepGraphView::draw(const AppState& app, const Selection& selection, Commands& commands) {
  const Trace& trace = app.session.trace();
  if (graph_.nodes.empty() || generation_ != app.generation) {
    graph_ = step_graph(trace);
    generation_ = app.generation;
  }
  const Palette& pal = palette(app.theme);
  const bool backward = trace.step(selection.step).phase == Phase::backward;
  const GraphFigure f = graph_geometry(graph_, app.ui_scale);
  label_pixels_ = ImGui::GetFontSize();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddText(f.origin, pal.text_dim, tr("One attention head: the steps of its trace"));
  for (const FlowEdge& e : graph_.edges)
    draw_edge(
        draw, f,
        edge_route(f, graph_.nodes[static_cast<std::size_t>(e.from)], graph_.nodes[static_cast<std::size_t>(e.to)]),
        backward ? pal.backward_arrow : pal.forward_arrow, backward);
  const int lit = forward_of(trace, selection.step);
  const int pointed = selection.hover.pointed_step() >= 0 ? forward_of(trace, selection.hover.pointed_step()) : -1;
  drawn_.clear();
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
    const FlowNode& n = graph_.nodes[i];
    const ImVec2 p0 = f.min(n), p1 = f.max(n);
    const bool current = n.step >= 0 && n.step == lit;
    if (current && scrolled_to_step_ != selection.step) {
      ImGui::SetScrollFromPosY(p0.y - ImGui::GetWindowPos().y, 0.5f);
      scrolled_to_step_ = selection.step;
    }
    figure_box(draw, p0, p1, n.title.c_str(), current, n.step >= 0 && n.step == pointed, pal);
    drawn_.push_back({static_cast<int>(i), p0, p1, current});
    const int opens = backward ? trace.step(n.opens).twin : n.opens;
    ImGui::SetCursorScreenPos(p0);
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::InvisibleButton("node", ImVec2(p1.x - p0.x, p1.y - p0.y)) && opens >= 0) commands.push(GoToStep{opens});
    if (ImGui::IsItemHovered() && opens >= 0) node_tooltip(trace, n, opens);
    ImGui::PopID();
  }
  if (backward)
    draw->AddText(ImVec2(f.origin.x + f.pad, f.bottom + 0.4f * f.L), pal.backward_arrow,
                  tr("backward: ∂L/∂ flows from L down the arrows"));
  ImGui::SetWindowFontScale(1.0f);
  ImGui::SetCursorScreenPos(f.origin);
  ImGui::Dummy(ImVec2(f.needed.x * f.s, f.needed.y * f.s));  // the scroll extent
}

}  // namespace attnviz::views
