#include "views/worked_example.h"

#include "model/number_format.h"
#include "views/theme.h"

#include <algorithm>
#include <cmath>

namespace attnviz::views {
namespace {

// "Q", "K", "V" or "O": the projection a linear step makes, by its output's role.
std::string projection_letter(const Trace& trace, const Step& s) {
  switch (trace.tensor(s.outputs.front()).role) {
    case Role::query: return "Q";
    case Role::key: return "K";
    case Role::value: return "V";
    case Role::attention_output: return "O";
    default: return "?";
  }
}

// The first forward step that reads `id`, and at which input; {−1, 0} when none does.
std::pair<int, int> first_reader(const Trace& trace, TensorId id) {
  for (int s = 0; s < trace.forward_count(); ++s) {
    const std::vector<TensorId>& in = trace.step(s).inputs;
    for (std::size_t i = 0; i < in.size(); ++i)
      if (in[i] == id) return {s, static_cast<int>(i)};
  }
  return {-1, 0};
}

// A tensor read by a forward step: clicks go to that step (forward) and to the backward step that
// passes its gradient down.
ExampleMatrix read_matrix(const Trace& trace, std::string title, TensorId id, bool transposed) {
  ExampleMatrix m{std::move(title), id, transposed, -1, {}, {}};
  const auto [reader, input] = first_reader(trace, id);
  if (reader < 0) return m;
  m.forward = ElementRef{reader, Slot::input, input, -1, -1};
  if (trace.tensor(id).requires_grad) m.backward = ElementRef{trace.step(reader).twin, Slot::downstream, input, -1, -1};
  return m;
}

}  // namespace

std::string output_title(const Trace& trace, const Step& s) {
  switch (s.op) {
    case OpKind::linear: {
      const std::string letter = projection_letter(trace, s);
      return letter + " = X W_" + letter;
    }
    case OpKind::scores: return "QKᵀ";
    case OpKind::scale: {
      const Scalar d_k = std::round(1 / (s.args.c * s.args.c));
      return "QKᵀ / √" + format_significant(d_k, 4);
    }
    case OpKind::softmax: return "A = softmax";
    case OpKind::weighted_sum: return "O = A V";
    case OpKind::sum: return "L = Σ O";
    default: return trace.tensor(s.outputs.front()).name;
  }
}

std::vector<ExampleMatrix> example_matrices(const Trace& trace) {
  std::vector<ExampleMatrix> inputs, projections, attention;
  for (int s = 0; s < trace.forward_count(); ++s) {
    const Step& step = trace.step(s);
    if (step.op == OpKind::linear) {
      if (inputs.empty()) inputs.push_back(read_matrix(trace, "X", step.inputs[0], false));
      inputs.push_back(read_matrix(trace, "W_" + projection_letter(trace, step), step.inputs[1], true));
    }
    const TensorId out = step.outputs.front();
    ExampleMatrix m = read_matrix(trace, output_title(trace, step), out, false);
    m.producer = s;
    m.forward = ElementRef{s, Slot::output, 0, -1, -1};
    if (step.op == OpKind::sum) m.backward = ElementRef{step.twin, Slot::upstream, 0, -1, -1};
    (step.op == OpKind::linear ? projections : attention).push_back(std::move(m));
  }
  // softmax(QKᵀ/√d_k) V first, where the lesson's point is; then where Q, K and V come from.
  if (!inputs.empty()) inputs.front().new_row = true;
  attention.insert(attention.end(), inputs.begin(), inputs.end());
  attention.insert(attention.end(), projections.begin(), projections.end());
  return attention;
}

namespace {

// Whole numbers as they are; others with four decimals, as the notes print them; gradients
// below 0.01 with a shared power of ten.
Notation example_notation(const Mat& m) {
  const bool whole = (m.array() == m.array().round()).all();
  if (whole) return Notation{0, 0};
  if (m.cwiseAbs().maxCoeff() >= 0.01) return Notation{4, 0};
  return notation_for(m);
}

struct Shown {
  Mat values;  // as the notes write it (weights transposed back)
  bool gradient = false;
};

Shown shown_values(const Trace& trace, const ExampleMatrix& m, bool backward) {
  const Tensor& t = trace.tensor(m.tensor);
  const bool gradient =
      backward && t.requires_grad && t.grad.rows() == t.value.rows() && t.grad.cols() == t.value.cols();
  const Mat& v = gradient ? t.grad : t.value;
  return {m.transposed ? Mat(v.transpose()) : v, gradient};
}

// One grid of numbers, its texts written into `drawn`; returns the clicked element (row, col as
// shown), if any.
std::optional<std::pair<int, int>> number_grid(const char* id, const Mat& values, const Notation& notation,
                                               const ElementRef* selected, DrawnGrid& drawn) {
  float widest = 0;
  for (Eigen::Index i = 0; i < values.size(); ++i)
    widest = std::max(widest, ImGui::CalcTextSize(notation.format(values.data()[i]).c_str()).x);
  std::optional<std::pair<int, int>> clicked;
  const ImGuiTableFlags flags =
      ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX;
  if (!ImGui::BeginTable(id, static_cast<int>(values.cols()), flags)) return clicked;
  for (int r = 0; r < values.rows(); ++r) {
    ImGui::TableNextRow();
    drawn.rows.emplace_back();
    for (int c = 0; c < values.cols(); ++c) {
      ImGui::TableNextColumn();
      ImGui::PushID(r * 1000 + c);
      const bool is_selected = selected && selected->row == r && selected->col == c;
      if (ImGui::Selectable("##v", is_selected, 0, ImVec2(widest, 0))) clicked = {r, c};
      const std::string text = notation.format(values(r, c));
      drawn.rows.back().push_back(text);
      const ImVec2 max = ImGui::GetItemRectMax(), min = ImGui::GetItemRectMin();
      ImGui::GetWindowDrawList()->AddText(ImVec2(max.x - ImGui::CalcTextSize(text.c_str()).x, min.y),
                                          ImGui::GetColorU32(ImGuiCol_Text), text.c_str());
      ImGui::PopID();
    }
  }
  ImGui::EndTable();
  return clicked;
}

float grid_width(const Mat& values, const Notation& notation, const std::string& title) {
  float widest = 0;
  for (Eigen::Index i = 0; i < values.size(); ++i)
    widest = std::max(widest, ImGui::CalcTextSize(notation.format(values.data()[i]).c_str()).x);
  const float cells = static_cast<float>(values.cols()) * (widest + 2 * ImGui::GetStyle().CellPadding.x + 1) + 1;
  return std::max(cells, ImGui::CalcTextSize(title.c_str()).x);
}

// The step whose matrices are lit: the current forward step, or the forward twin of a backward one.
int forward_of(const Trace& trace, int step) {
  const Step& s = trace.step(step);
  return s.phase == Phase::forward ? step : s.twin;
}

}  // namespace

std::vector<DrawnGrid> draw_worked_example(const AppState& app, const Selection& selection, Commands& commands) {
  std::vector<DrawnGrid> grids;
  const Trace& trace = app.session.trace();
  if (trace.step_count() == 0) return grids;
  const Palette& pal = palette(app.theme);
  const bool backward = trace.step(selection.step).phase == Phase::backward;
  const int lit = forward_of(trace, selection.step);
  const Step* lit_step = lit >= 0 ? &trace.step(lit) : nullptr;
  auto role = [&](TensorId id) {
    if (!lit_step) return 0;
    if (std::find(lit_step->outputs.begin(), lit_step->outputs.end(), id) != lit_step->outputs.end()) return 2;
    if (std::find(lit_step->inputs.begin(), lit_step->inputs.end(), id) != lit_step->inputs.end()) return 1;
    return 0;
  };
  const float gap = ImGui::GetFontSize();
  const std::vector<ExampleMatrix> matrices = example_matrices(trace);
  for (std::size_t i = 0; i < matrices.size(); ++i) {
    const ExampleMatrix& m = matrices[i];
    const Shown shown = shown_values(trace, m, backward);
    const Notation notation = example_notation(shown.values);
    std::string title = (shown.gradient ? "∂L/∂" : "") + m.title;
    if (shown.gradient && m.title.find('=') != std::string::npos) title = "∂L/∂" + m.title.substr(0, m.title.find(' '));
    if (!notation.scale_text().empty()) title += "  " + notation.scale_text();
    const float width = grid_width(shown.values, notation, title);
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (i > 0 && !m.new_row && ImGui::GetItemRectMax().x + gap + width <= right) ImGui::SameLine(0, gap);
    ImGui::BeginGroup();
    const int r = role(m.tensor);
    const ImU32 colour = r == 2 ? pal.accent : r == 1 ? pal.text : pal.text_dim;
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colour), "%s%s", r == 2 ? "▶ " : "", title.c_str());
    const ElementRef& target = backward ? m.backward : m.forward;
    const ElementRef* selected = nullptr;
    ElementRef here = target;
    if (selection.element.valid() && target.step == selection.element.step && target.slot == selection.element.slot &&
        target.index == selection.element.index) {
      here.row = m.transposed ? selection.element.col : selection.element.row;
      here.col = m.transposed ? selection.element.row : selection.element.col;
      selected = &here;
    }
    ImGui::PushID(static_cast<int>(i));
    DrawnGrid& drawn = grids.emplace_back();
    drawn.title = title;
    if (const auto clicked = number_grid("grid", shown.values, notation, selected, drawn);
        clicked && target.step >= 0) {
      ElementRef e = target;
      e.row = m.transposed ? clicked->second : clicked->first;
      e.col = m.transposed ? clicked->first : clicked->second;
      commands.push(GoToElement{e});
    }
    ImGui::PopID();
    ImGui::EndGroup();
    drawn.min = ImGui::GetItemRectMin();
    drawn.max = ImGui::GetItemRectMax();
    drawn.clip_min = ImGui::GetWindowDrawList()->GetClipRectMin();
    drawn.clip_max = ImGui::GetWindowDrawList()->GetClipRectMax();
  }
  return grids;
}

}  // namespace attnviz::views
