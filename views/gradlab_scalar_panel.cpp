#include "views/gradlab_scalar_panel.h"

#include "model/error.h"
#include "model/gradlab/chain_rule.h"
#include "views/figure.h"
#include "model/translatable.h"
#include "views/i18n.h"
#include "views/log_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace attnviz::views {

using namespace attnviz::gradlab;

std::string fixed_significant(double value, int digits) {
  char text[64];
  if (value == 0 || !std::isfinite(value) || std::abs(value) < 1e-9 || std::abs(value) >= 1e9) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
  } else {
    const int magnitude = static_cast<int>(std::floor(std::log10(std::abs(value))));
    const int decimals = std::clamp(digits - 1 - magnitude, 0, 15);
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
  }
  std::string result = text;
  if (!result.empty() && result[0] == '-') result.replace(0, 1, "−");
  return result;
}

namespace {

ImVec4 colour(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }
ImU32 faded(ImU32 c, int alpha) { return (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT); }

// Grid cell of a node: forward runs top to bottom, one row per layer;
// columns: weights | z_k = w_k·h_{k−1} | h_k = f(z_k).   x sits above h1, L below y.
ImVec2 cell_of(const Node& node, int depth) {
  switch (node.kind) {
    case NodeKind::input: return {2, 0};
    case NodeKind::weight:
      return node.name == "wr" ? ImVec2(0, static_cast<float>(depth + 1)) : ImVec2(0, static_cast<float>(node.layer));
    case NodeKind::product: return {1, static_cast<float>(node.layer)};
    case NodeKind::activation: return {2, static_cast<float>(node.layer)};
    case NodeKind::loss: return {2, static_cast<float>(depth + 1)};
  }
  return {0, 0};
}

// Where the segment from the centre of a box (half sizes h) towards `to` leaves the box.
ImVec2 box_exit(ImVec2 c, ImVec2 to, ImVec2 h) {
  const float dx = to.x - c.x, dy = to.y - c.y;
  const float tx = std::abs(dx) > 1e-3f ? h.x / std::abs(dx) : 1e9f;
  const float ty = std::abs(dy) > 1e-3f ? h.y / std::abs(dy) : 1e9f;
  const float t = std::min({tx, ty, 1.0f});
  return {c.x + dx * t, c.y + dy * t};
}

void arrow_head(ImDrawList* dl, ImVec2 tip, ImVec2 from, ImU32 c, float size) {
  const float dx = tip.x - from.x, dy = tip.y - from.y, len = std::sqrt(dx * dx + dy * dy);
  if (len < 1e-3f) return;
  const ImVec2 u(dx / len, dy / len), n(-u.y, u.x);
  dl->AddTriangleFilled(tip, ImVec2(tip.x - u.x * size + n.x * size * 0.5f, tip.y - u.y * size + n.y * size * 0.5f),
                        ImVec2(tip.x - u.x * size - n.x * size * 0.5f, tip.y - u.y * size - n.y * size * 0.5f), c);
}

// A label on a small panel-coloured plate so it reads over lines; true when the mouse is on it.
bool plate(ImDrawList* dl, ImVec2 centre, const std::string& text, ImU32 text_colour, const Palette& pal) {
  const ImVec2 size = ImGui::CalcTextSize(text.c_str());
  const ImVec2 a(centre.x - size.x * 0.5f - 2, centre.y - size.y * 0.5f),
      b(centre.x + size.x * 0.5f + 2, centre.y + size.y * 0.5f);
  dl->AddRectFilled(a, b, faded(pal.panel, 230));
  dl->AddText(ImVec2(a.x + 2, a.y), text_colour, text.c_str());
  return ImGui::IsMouseHoveringRect(a, b);
}

// Whether node `i`'s gradient is shown after `revealed` backward steps (−1: all).
bool grad_shown(const ScalarGraph& g, int i, int revealed) {
  if (revealed < 0) return true;
  for (int k = 0; k < std::min(revealed, static_cast<int>(g.backward_order.size())); ++k)
    if (g.backward_order[static_cast<std::size_t>(k)] == i) return true;
  return false;
}

int latest_node(const ScalarGraph& g, int revealed) {
  if (revealed <= 0) return -1;
  const int k = std::min(revealed, static_cast<int>(g.backward_order.size()));
  return g.backward_order[static_cast<std::size_t>(k - 1)];
}

bool is_skip_edge(const ScalarGraph& g, const Edge& e) {
  const Node& from = g.nodes[static_cast<std::size_t>(e.from)];
  const Node& to = g.nodes[static_cast<std::size_t>(e.to)];
  if (from.name == "wr") return true;
  if (to.kind == NodeKind::activation && from.kind != NodeKind::product) return true;  // identity: h_{k−1} → h_k
  return to.kind == NodeKind::product && from.kind != NodeKind::weight && to.layer - from.layer == 2;
}

// Where the graph's boxes go: three columns `col_w` wide (weights | z | h), a row per layer
// `row_h` high, boxes of `box`.  Every box holds "∂L/∂z1 = −0.0001519" when the widest fits
// (`full_names`); otherwise narrower boxes (wider gaps for the edge labels) hold the gradient
// alone, in the gradient colour, under the value.
struct GraphLayout {
  ImVec2 origin, box, half;
  float col_w = 0, row_h = 0, line = 0;
  bool full_names = true;
  int depth = 0;
  ImVec2 centre(const ScalarGraph& g, int node) const {
    const ImVec2 c = cell_of(g.nodes[static_cast<std::size_t>(node)], depth);
    return ImVec2(origin.x + col_w * (c.x + 0.5f), origin.y + row_h * (c.y + 0.5f));
  }
};

GraphLayout graph_layout(const ScalarGraph& g, float height) {
  GraphLayout l;
  l.line = ImGui::GetTextLineHeight();
  l.depth = g.depth;
  const int rows = g.depth + 2;
  l.col_w = std::max(ImGui::GetContentRegionAvail().x, l.line * 15) / 3;
  for (const Node& node : g.nodes)
    if (ImGui::CalcTextSize(("∂L/∂" + node.name + " = " + fixed_significant(node.grad, 4)).c_str()).x >
        l.col_w * 0.76f - l.line * 0.4f)
      l.full_names = false;
  l.box = ImVec2(l.col_w * (l.full_names ? 0.76f : 0.70f), l.line * 2.3f);
  l.half = ImVec2(l.box.x * 0.5f, l.box.y * 0.5f);
  l.row_h =
      std::max(l.box.y + l.line * 1.3f, (height - ImGui::GetStyle().WindowPadding.y * 2) / static_cast<float>(rows));
  l.origin = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(l.col_w * 3, l.row_h * static_cast<float>(rows)));
  return l;
}

// An edge's label (its local derivative), drawn over the edges and boxes.
struct EdgeLabel {
  ImVec2 at;
  const Edge* edge;
  bool flowing;
  float room;  // width available between two boxes; 0: any
};

// Every edge: the skip edges in the accent colour, the one the gradient just passed down (from
// the `latest` node) thick in the gradient colour.  Returns where their labels go.
std::vector<EdgeLabel> draw_edges(ImDrawList* dl, const ScalarGraph& g, const GraphLayout& l, int latest,
                                  const Palette& pal) {
  std::vector<EdgeLabel> labels;
  const float line = l.line;
  for (const Edge& e : g.edges) {
    const ImVec2 a = l.centre(g, e.from), b = l.centre(g, e.to);
    const bool skip = is_skip_edge(g, e);
    const bool flowing = latest >= 0 && e.from == latest;
    const ImU32 c = flowing ? pal.backward_arrow : skip ? pal.accent : faded(pal.forward_arrow, 190);
    const float thick = flowing ? 3.5f : 2.0f;
    const float label_w = ImGui::CalcTextSize(format_number(e.local).c_str()).x;
    EdgeLabel label{{}, &e, flowing, 0};
    if (skip && std::abs(b.y - a.y) > l.row_h * 1.5f) {
      // The long skip h_{n−2} → z_n: down from h_{n−2}, through the gap between z_{n−1} and
      // h_{n−1}, into the top of z_n; labelled in the gap just above z_n, left of where it enters.
      const ImVec2 p0(a.x - l.box.x * 0.1f, a.y + l.half.y), p3(b.x + l.box.x * 0.1f, b.y - l.half.y);
      const ImVec2 p1(p0.x, p0.y + l.row_h * 0.9f), p2(p3.x, p3.y - l.row_h * 0.9f);
      dl->AddBezierCubic(p0, p1, p2, p3, c, thick);
      arrow_head(dl, p3, p2, c, line * 0.6f);
      label.at = ImVec2(p3.x - label_w * 0.5f - line * 0.5f, p3.y - (l.row_h - l.box.y) * 0.5f);
    } else {
      const ImVec2 p0 = box_exit(a, b, l.half), p1 = box_exit(b, a, l.half);
      dl->AddLine(p0, p1, c, thick);
      arrow_head(dl, p1, p0, c, line * 0.6f);
      label.at = ImVec2((p0.x + p1.x) * 0.5f, (p0.y + p1.y) * 0.5f);
      if (std::abs(p0.y - p1.y) < 1) {  // horizontal: above the arrow, between the boxes
        label.at.y -= line * 0.6f;
        label.room = std::abs(p1.x - p0.x) + line * 0.4f;
      } else if (std::abs(p0.x - p1.x) < 1) {  // vertical: right of it
        label.at.x += line * 0.4f + label_w * 0.5f;
      }
    }
    labels.push_back(label);
  }
  return labels;
}

// Node i's box: its value, and its gradient once revealed (four significant digits; three, then
// two, when the box is too narrow; the tooltip is exact).  Returns true when clicked.
bool node_box(ImDrawList* dl, const ScalarGraph& g, int i, const GraphLayout& l, int revealed, int latest,
              const std::string& selected, const Palette& pal) {
  const Node& node = g.nodes[static_cast<std::size_t>(i)];
  const ImVec2 c = l.centre(g, i), a(c.x - l.half.x, c.y - l.half.y), b(c.x + l.half.x, c.y + l.half.y);
  ImGui::PushID(i);
  ImGui::SetCursorScreenPos(a);
  ImGui::InvisibleButton("node", l.box);
  const bool clicked = ImGui::IsItemClicked(), hovered = ImGui::IsItemHovered();
  ImGui::PopID();
  dl->AddRectFilled(a, b,
                    i == latest                     ? faded(pal.current_block, 150)
                    : node.kind == NodeKind::weight ? faded(pal.accent, 40)
                                                    : pal.block);
  const bool is_selected = node.name == selected;
  dl->AddRect(a, b,
              is_selected ? pal.selection_outline
              : hovered   ? pal.hover_outline
                          : pal.block_border,
              0, 0,
              is_selected ? 3.0f
              : hovered   ? 2.0f
                          : 1.0f);
  const float room = l.box.x - l.line * 0.4f;
  const auto fit = [&](auto text_of) {
    std::string text = text_of(4);
    for (int digits = 3; digits >= 2 && ImGui::CalcTextSize(text.c_str()).x > room; --digits) text = text_of(digits);
    return text;
  };
  const std::string value = fit([&](int d) { return node.name + " = " + format_number(node.value, d); });
  const bool shown = grad_shown(g, i, revealed);
  const std::string grad =
      !shown ? (l.full_names ? "∂L/∂" + node.name + " = ?" : std::string("?"))
      : l.full_names
          ? "∂L/∂" + node.name + " = " + fixed_significant(node.grad, 4)
          : fit([&](int d) { return d == 4 ? fixed_significant(node.grad, 4) : format_number(node.grad, d); });
  dl->AddText(ImVec2(a.x + l.line * 0.25f, a.y + l.line * 0.1f), pal.text, value.c_str());
  dl->AddText(ImVec2(a.x + l.line * 0.25f, a.y + l.line * 1.15f), shown ? pal.backward_arrow : pal.text_dim,
              grad.c_str());
  if (hovered) {
    ImGui::BeginTooltip();
    ImGui::Text("%s", node.formula.c_str());
    ImGui::Text("%s = %s", node.name.c_str(), format_number(node.value, 10).c_str());
    if (shown) ImGui::Text("∂L/∂%s = %s", node.name.c_str(), format_number(node.grad, 10).c_str());
    ImGui::TextDisabled(tr("Click: write out its chain rule below"));
    ImGui::EndTooltip();
  }
  return clicked;
}

// The local derivatives on their edges: four significant digits, fewer when the gap between the
// boxes is too narrow even with the label reaching over the box borders (not over their text);
// the tooltip is exact.
void edge_labels(ImDrawList* dl, const ScalarGraph& g, const std::vector<EdgeLabel>& labels, const Palette& pal) {
  const Edge* hovered = nullptr;
  for (const EdgeLabel& l : labels) {
    std::string text = format_number(l.edge->local);
    for (int digits = 3; digits >= 1 && l.room > 0 && ImGui::CalcTextSize(text.c_str()).x > l.room; --digits)
      text = format_number(l.edge->local, digits);
    if (plate(dl, l.at, text, l.flowing ? pal.backward_arrow : pal.local_mark, pal)) hovered = l.edge;
  }
  if (!hovered) return;
  ImGui::BeginTooltip();
  ImGui::Text("%s = %s = %s", hovered->symbol.c_str(), hovered->formula.c_str(),
              format_number(hovered->local, 10).c_str());
  ImGui::TextDisabled(tr("the local derivative: backward multiplies ∂L/∂%s by it"),
                      g.nodes[static_cast<std::size_t>(hovered->to)].name.c_str());
  ImGui::EndTooltip();
}

// The graph in a child window of `height`; returns the node clicked, or −1.  Edges first, then
// the boxes, then the edge labels over both.  `follow`: scroll so that the node whose gradient
// appeared last is in view.
int draw_graph(const char* id, const ScalarGraph& g, int revealed, const std::string& selected, const Palette& pal,
               float height, bool follow) {
  int clicked = -1;
  if (!ImGui::BeginChild(id, ImVec2(ImGui::GetContentRegionAvail().x, height), true)) {
    ImGui::EndChild();
    return clicked;
  }
  const GraphLayout l = graph_layout(g, height);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const int latest = latest_node(g, revealed);
  if (follow && latest >= 0) ImGui::SetScrollFromPosY(l.centre(g, latest).y - ImGui::GetWindowPos().y, 0.5f);
  const std::vector<EdgeLabel> labels = draw_edges(dl, g, l, latest, pal);
  for (int i = 0; i < static_cast<int>(g.nodes.size()); ++i)
    if (node_box(dl, g, i, l, revealed, latest, selected, pal)) clicked = i;
  edge_labels(dl, g, labels, pal);
  ImGui::EndChild();
  return clicked;
}

// "∂L/∂h2 = ∂L/∂z3 × ∂z3/∂h2 = −0.2434 × 0.1 = −0.02434": the latest node's gradient, one step back.
void latest_step_text(const ScalarGraph& g, int revealed, const Palette& pal) {
  const int latest = latest_node(g, revealed);
  if (revealed < 0 || latest < 0) {
    ImGui::TextDisabled(tr("No gradient yet: press Step ▶."));
    return;
  }
  const Node& node = g.nodes[static_cast<std::size_t>(latest)];
  if (node.kind == NodeKind::loss) {
    ImGui::TextColored(colour(pal.backward_arrow), tr("∂L/∂L = 1: the backward pass starts at the loss."));
    return;
  }
  std::string symbols, numbers;
  for (const GradTerm& t : grad_terms(g, latest)) {
    const Edge& e = g.edges[static_cast<std::size_t>(t.edge)];
    if (!symbols.empty()) symbols += " + ", numbers += " + ";
    symbols += "∂L/∂" + g.nodes[static_cast<std::size_t>(e.to)].name + " × " + e.symbol;
    numbers += format_number(t.upstream) + " × " + format_number(t.local);
  }
  ImGui::PushTextWrapPos(0);
  ImGui::TextColored(colour(pal.backward_arrow), "∂L/∂%s = %s = %s = %s", node.name.c_str(), symbols.c_str(),
                     numbers.c_str(), format_number(node.grad).c_str());
  ImGui::PopTextWrapPos();
}

// "= −0.9744", "× 0.2498", …, "= −0.0000760": a path's product, to be wrapped between factors.
std::vector<std::string> factor_tokens(const ScalarGraph& g, const ChainPath& path) {
  std::vector<std::string> tokens;
  for (int e : path.edges)
    tokens.push_back((tokens.empty() ? "= " : "× ") + format_number(g.edges[static_cast<std::size_t>(e)].local));
  tokens.push_back("= " + fixed_significant(path.product, 3));
  return tokens;
}

// "−0.9488 × 0.2493 × 0.5128" → "−0.9488", "× 0.2493", "× 0.5128": to wrap between factors only.
std::vector<std::string> product_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  const std::string_view times = " × ";
  for (std::size_t at = text.find(times); at != std::string_view::npos; at = text.find(times)) {
    tokens.emplace_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  tokens.emplace_back(text);
  return tokens;
}

bool same_input(const ScalarChainInput& a, const ScalarChainInput& b) {
  return a.x == b.x && a.w == b.w && a.skip_weight == b.skip_weight && a.target == b.target &&
         a.activation == b.activation;
}

// One row of the notes' table: their rounded figure beside the exact value.
struct NotesRow {
  const char* quantity;
  const char* notes_text;  // as printed in the notes
  double notes_value;
  int decimals;  // places the notes give
  double exact;
  const char* erratum;  // why they differ, when LESSONS.md lists it
};

}  // namespace

bool GradLabScalarPanel::is_example_c() const {
  return input.depth() == 3 && input.x == 0.5 && input.w == std::vector<double>{0.1, 0.1, 0.1} &&
         input.skip_weight == 0.1 && input.target == 1.0 && input.activation == Activation::sigmoid &&
         residual_kind == Skip::weighted;
}

void GradLabScalarPanel::reset_to_example_c() {
  input = ScalarChainInput{};
  residual_kind = Skip::weighted;
  message.clear();
}

const ScalarComparison& GradLabScalarPanel::result() {
  if (have_result_ && computed_kind_ == residual_kind && same_input(computed_input_, input)) return result_;
  try {
    validate(input);
    result_ = compare_scalar_chains(input, residual_kind);
    computed_input_ = input;
    computed_kind_ = residual_kind;
    have_result_ = true;
  } catch (const InputError& e) {
    message = formatted(tr("Refused: %s"), e.what());
    if (have_result_) {
      input = computed_input_;
      residual_kind = computed_kind_;
    } else {
      reset_to_example_c();
      return result();
    }
  }
  return result_;
}

namespace {

// The weights w1 … wn, as many to a row as fit.  Returns true when one was edited.
bool weight_fields(std::vector<double>& w) {
  bool edited = false;
  const float field = ImGui::GetFontSize() * 4.2f,
              label = ImGui::CalcTextSize("w10").x + ImGui::GetStyle().ItemInnerSpacing.x;
  float x = 0;
  const float room = ImGui::GetContentRegionAvail().x;
  for (std::size_t k = 0; k < w.size(); ++k) {
    ImGui::PushID(static_cast<int>(k));
    const float step = field + label + ImGui::GetStyle().ItemSpacing.x;
    if (k > 0 && x + step <= room)
      ImGui::SameLine();
    else if (k > 0)
      x = 0;
    x += step;
    char name[16];
    std::snprintf(name, sizeof name, "w%d", static_cast<int>(k + 1));
    ImGui::SetNextItemWidth(field);
    edited |= ImGui::InputDouble(name, &w[k], 0, 0, "%.6g");
    ImGui::PopID();
  }
  return edited;
}

// The residual network's skip: weighted (with its weight w_r) or identity.  True when edited.
bool residual_choice(Skip& kind, double& skip_weight) {
  bool edited = false;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr("residual:"));
  ImGui::SameLine();
  if (ImGui::RadioButton(tr("weighted skip  z_n = w_n·h_{n−1} + w_r·h_{n−2}"), kind == Skip::weighted)) {
    kind = Skip::weighted;
    edited = true;
  }
  ImGui::SameLine();
  if (ImGui::RadioButton(tr("identity  h_k = f(z_k) + h_{k−1}"), kind == Skip::identity)) {
    kind = Skip::identity;
    edited = true;
  }
  if (kind == Skip::weighted) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    edited |= ImGui::InputDouble("w_r", &skip_weight, 0, 0, "%.6g");
  }
  return edited;
}

}  // namespace

void GradLabScalarPanel::controls(Commands&) {
  const float em = ImGui::GetFontSize();
  bool edited = false;
  ImGui::SetNextItemWidth(em * 5);
  edited |= ImGui::InputDouble("x", &input.x, 0, 0, "%.6g");  // not translated: a symbol
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em * 5);
  edited |= ImGui::InputDouble("y_true", &input.target, 0, 0, "%.6g");  // not translated: a symbol
  ImGui::SameLine();
  int activation = static_cast<int>(input.activation);
  ImGui::SetNextItemWidth(em * 6);
  if (ImGui::Combo(labelled("activation").c_str(), &activation, "sigmoid σ\0tanh\0ReLU\0")) {
    input.activation = static_cast<Activation>(std::clamp(activation, 0, 2));
    edited = true;
  }
  ImGui::SameLine();
  int depth = input.depth();
  ImGui::SetNextItemWidth(em * 7);
  if (ImGui::SliderInt(labelled("layers").c_str(), &depth, min_scalar_depth, max_scalar_depth, "%d",
                       ImGuiSliderFlags_AlwaysClamp)) {
    depth = std::clamp(depth, min_scalar_depth, max_scalar_depth);
    input.w.resize(static_cast<std::size_t>(depth), 0.1);
    edited = true;
  }
  ImGui::SameLine();
  if (ImGui::Button(tr("Example C"))) {
    reset_to_example_c();
    revealed = -1;
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(tr("x = 0.5, w1 = w2 = w3 = w_r = 0.1, y_true = 1, sigmoid (LESSONS.md)"));

  edited |= residual_choice(residual_kind, input.skip_weight);

  edited |= weight_fields(input.w);
  if (edited) message.clear();
  ImGui::SameLine(0, em * 2);
  if (ImGui::GetCursorPosX() + em * 30 > ImGui::GetContentRegionMax().x) ImGui::NewLine();
}

void GradLabScalarPanel::stepper() {
  const ScalarComparison& r = result_;
  const int total = static_cast<int>(std::max(r.plain.backward_order.size(), r.residual.backward_order.size()));
  const int shown = revealed < 0 ? total : revealed;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr("Backward pass:"));
  ImGui::SameLine();
  if (ImGui::Button(tr("Start"))) revealed = 0;
  ImGui::SameLine();
  ImGui::BeginDisabled(shown <= 0);
  if (ImGui::Button(tr("◀ Back"))) revealed = shown - 1;
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(shown >= total);
  if (ImGui::Button(tr("Step ▶"))) revealed = shown + 1 >= total ? -1 : shown + 1;
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button(tr("All"))) revealed = -1;
  ImGui::SameLine();
  ImGui::TextDisabled(tr("%d of %d gradients"), shown, total);
}

void GradLabScalarPanel::chain_rules(const Palette& pal) {
  const ScalarComparison& r = result_;
  const int p = r.plain.find(selected), q = r.residual.find(selected);
  ImGui::PushTextWrapPos(0);
  ImGui::Text(tr("∂L/∂%s by the chain rule: the product of the local derivatives along each path from L"),
              selected.c_str());
  double plain_sum = 0;
  if (p >= 0) {
    const ChainRule rule = chain_rule(r.plain, p);
    plain_sum = rule.sum;
    for (const ChainPath& path : rule.paths) {
      ImGui::TextColored(colour(pal.text), tr("Plain:  ∂L/∂%s = %s"), selected.c_str(),
                         symbols_text(r.plain, path).c_str());
      flow_tokens(factor_tokens(r.plain, path), pal.local_mark, ImGui::GetFontSize() * 2.5f);
    }
    if (rule.paths.empty()) ImGui::TextDisabled(tr("Plain:  ∂L/∂L = 1"));
  } else {
    ImGui::TextDisabled(tr("Plain: has no %s (the skip weight exists only in the residual network)."),
                        selected.c_str());
  }
  if (q >= 0) {
    const ChainRule rule = chain_rule(r.residual, q);
    const char* kind = residual_kind == Skip::weighted ? tr("weighted skip") : tr("identity skip");
    ImGui::Text(trn("Residual (%s): %zu path", "Residual (%s): %zu paths", rule.paths.size()), kind, rule.paths.size());
    for (std::size_t i = 0; i < rule.paths.size() && i < 12; ++i) {
      const ChainPath& path = rule.paths[i];
      ImGui::PushID(static_cast<int>(i));
      ImGui::TextColored(colour(pal.accent), tr("   path %zu: %s"), i + 1, route_text(r.residual, path).c_str());
      flow_tokens(factor_tokens(r.residual, path), pal.local_mark, ImGui::GetFontSize() * 2.5f);
      ImGui::PopID();
    }
    if (rule.paths.size() > 12) ImGui::TextDisabled(tr("   … and %zu more paths"), rule.paths.size() - 12);
    if (rule.paths.size() > 1)
      ImGui::Text(tr("   sum of the paths: ∂L/∂%s = %s"), selected.c_str(), fixed_significant(rule.sum, 3).c_str());
    if (p >= 0 && plain_sum != 0 && rule.sum != 0)
      ImGui::TextColored(colour(pal.backward_arrow), tr("Residual / plain: %s×"),
                         format_number(rule.sum / plain_sum, 3).c_str());
  }
  ImGui::PopTextWrapPos();
}

namespace {

// LESSONS.md's figures of example C beside the values of the two graphs.
std::vector<NotesRow> notes_rows(const ScalarGraph& plain, const ScalarGraph& res) {
  const auto edge_local = [](const ScalarGraph& g, const char* from, const char* to) {
    const int f = g.find(from), t = g.find(to);
    for (const Edge& e : g.edges)
      if (e.from == f && e.to == t) return e.local;
    return 0.0;
  };
  const ChainRule w1 = chain_rule(res, res.find("w1"));
  double skip_path = 0, through_h2 = 0;
  const int h2 = res.find("h2");
  for (const ChainPath& path : w1.paths)
    (std::find(path.nodes.begin(), path.nodes.end(), h2) != path.nodes.end() ? through_h2 : skip_path) += path.product;

  const char* rounded_y = tr("from a rounded y");
  return {
      {"h1", "0.5125", 0.5125, 4, plain.node("h1").value, nullptr},
      {tr("y (plain)"), "0.5128", 0.5128, 4, plain.node("y").value, nullptr},
      {tr("L (plain)"), "0.2372", 0.2372, 4, plain.loss(), rounded_y},
      {tr("∂L/∂y (plain)"), "−0.9744", -0.9744, 4, plain.node("y").grad, nullptr},
      {tr("σ'(z3) (plain)"), "0.2498", 0.2498, 4, edge_local(plain, "z3", "y"), nullptr},
      {tr("∂L/∂w3 (plain)"), "−0.1248", -0.1248, 4, plain.node("w3").grad, nullptr},
      {tr("∂L/∂w1 (plain)"), "−0.000076", -0.000076, 6, plain.node("w1").grad, nullptr},
      {tr("y (residual)"), "0.5256", 0.5256, 4, res.node("y").value, nullptr},
      {tr("L (residual)"), "0.2247", 0.2247, 4, res.loss(), rounded_y},
      {tr("∂L/∂y (residual)"), "−0.9488", -0.9488, 4, res.node("y").grad, nullptr},
      {tr("∂L/∂w3 (residual)"), "−0.9488 × 0.2493 × 0.5128", -0.9488 * 0.2493 * 0.5128, 4, res.node("w3").grad,
       tr("product of rounded factors")},
      {tr("∂L/∂w2 (residual)"), "−0.0030", -0.0030, 4, res.node("w2").grad, nullptr},
      {tr("∂L/∂w1 skip path"), "−0.00295", -0.00295, 5, skip_path, nullptr},
      {tr("∂L/∂w1 through h2"), "−0.000074", -0.000074, 6, through_h2, nullptr},
      {tr("∂L/∂w1 (residual)"), "0.003024", 0.003024, 6, res.node("w1").grad, tr("sign lost")},
  };
}

}  // namespace

void GradLabScalarPanel::notes_table(const Palette& pal) {
  const std::vector<NotesRow> rows = notes_rows(result_.plain, result_.residual);
  ImGui::TextUnformatted(tr("Example C: the notes' figures beside the exact values"));
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingStretchProp;
  // Rows as tight as text lines: the last rows (the lost minus sign) should fit without scrolling.
  ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(ImGui::GetStyle().CellPadding.x, 0));
  if (!ImGui::BeginTable("notes", 4, flags, ImVec2(0, ImGui::GetContentRegionAvail().y))) {
    ImGui::PopStyleVar();
    return;
  }
  ImGui::TableSetupScrollFreeze(0, 1);
  // The exact values keep their width; the other columns share the rest and wrap.
  ImGui::TableSetupColumn(tr("quantity"), ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn(tr("the notes say"), ImGuiTableColumnFlags_WidthStretch, 1.15f);
  ImGui::TableSetupColumn(tr("exact"), ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("−0.0000759748").x);
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableHeadersRow();
  for (const NotesRow& row : rows) {
    const double tolerance = 0.5 * std::pow(10.0, -row.decimals) * (1 + 1e-9);
    const bool differs = std::abs(row.exact - row.notes_value) > tolerance;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s", row.quantity);
    ImGui::TableNextColumn();
    flow_tokens(product_tokens(row.notes_text), differs ? pal.warning : pal.text_dim);
    ImGui::TableNextColumn();
    // As LESSONS.md's exact column: 8 significant digits, 6 below 0.1.
    ImGui::TextUnformatted(fixed_significant(row.exact, std::abs(row.exact) >= 0.1 ? 8 : 6).c_str());
    ImGui::TableNextColumn();
    if (differs) {
      ImGui::PushStyleColor(ImGuiCol_Text, colour(pal.warning));
      ImGui::TextWrapped("≠ %s", row.erratum ? row.erratum : tr("rounding"));
      ImGui::PopStyleColor();
    }
  }
  ImGui::EndTable();
  ImGui::PopStyleVar();
}

void GradLabScalarPanel::draw(const AppState& app, Selection&, Commands& commands) {
  const Palette& pal = palette(app.theme);
  controls(commands);
  const ScalarComparison& r = result();
  if (r.plain.find(selected) < 0 && r.residual.find(selected) < 0) selected = "w1";
  stepper();
  if (!message.empty()) ImGui::TextColored(colour(pal.warning), "%s", message.c_str());

  // The graphs take what they need (up to all but 8.5 lines); the chain rule and the notes the rest.
  const float line = ImGui::GetTextLineHeightWithSpacing(), text_h = ImGui::GetTextLineHeight();
  const float avail = ImGui::GetContentRegionAvail().y;
  const float wanted = static_cast<float>(r.plain.depth + 2) * text_h * 3.65f + ImGui::GetStyle().WindowPadding.y * 2;
  const float stepping = revealed >= 0 ? line * 2.2f : 0;
  const float graphs_h = std::max(line * 6, std::min(wanted, avail - line * 9.5f - stepping));
  int clicked_plain = -1, clicked_residual = -1;
  const bool follow = revealed != followed_;
  followed_ = revealed;
  if (ImGui::BeginTable("graphs", 2, ImGuiTableFlags_SizingStretchSame)) {
    ImGui::TableNextColumn();
    ImGui::Text(tr("Plain   L = %s"), format_number(r.plain.loss()).c_str());
    ImGui::SameLine();
    ImGui::TextDisabled(tr("   each box: the value, then ∂L/∂ of it"));
    figure(N_("The plain chain's graph"), [&](float scale) {
      const int clicked = draw_graph("plain", r.plain, revealed, selected, pal, graphs_h * scale, follow);
      if (scale == 1) clicked_plain = clicked;
    });
    if (revealed >= 0) latest_step_text(r.plain, revealed, pal);
    ImGui::TableNextColumn();
    ImGui::Text(tr("Residual, %s   L = %s"),
                residual_kind == Skip::weighted ? tr("weighted skip w_r") : tr("identity skips"),
                format_number(r.residual.loss()).c_str());
    figure(N_("The residual chain's graph"), [&](float scale) {
      const int clicked = draw_graph("residual", r.residual, revealed, selected, pal, graphs_h * scale, follow);
      if (scale == 1) clicked_residual = clicked;
    });
    if (revealed >= 0) latest_step_text(r.residual, revealed, pal);
    ImGui::EndTable();
  }
  if (clicked_plain >= 0) selected = r.plain.nodes[static_cast<std::size_t>(clicked_plain)].name;
  if (clicked_residual >= 0) selected = r.residual.nodes[static_cast<std::size_t>(clicked_residual)].name;

  below_graphs(pal);
}

// The chain rule and, for example C, the notes' figures: side by side where the figures get 40 characters
// of the font, else as two tabs.
void GradLabScalarPanel::below_graphs(const Palette& pal) {
  const bool notes = is_example_c();
  const auto chain = [&] {
    if (ImGui::BeginChild("chain", ImVec2(0, ImGui::GetContentRegionAvail().y))) chain_rules(pal);
    ImGui::EndChild();
  };
  const auto figures = [&] {
    if (ImGui::BeginChild("notes", ImVec2(0, ImGui::GetContentRegionAvail().y))) notes_table(pal);
    ImGui::EndChild();
  };
  if (!notes) return chain();
  if (ImGui::GetContentRegionAvail().x < ImGui::GetFontSize() * 90) {
    if (ImGui::BeginTabBar("below")) {
      if (ImGui::BeginTabItem(labelled("Chain rule").c_str())) {
        chain();
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem(labelled("Example C: the notes' figures").c_str())) {
        figures();
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
    return;
  }
  if (ImGui::BeginTable("below", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV)) {
    ImGui::TableSetupColumn("chain", ImGuiTableColumnFlags_WidthStretch, 1.25f);  // not translated: no header row
    ImGui::TableSetupColumn("notes", ImGuiTableColumnFlags_WidthStretch, 1.0f);   // not translated: no header row
    ImGui::TableNextColumn();
    chain();
    ImGui::TableNextColumn();
    figures();
    ImGui::EndTable();
  }
}

}  // namespace attnviz::views
