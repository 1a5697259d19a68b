#include "views/step_detail_panel.h"

#include "model/op_table.h"
#include "views/chain_terms.h"
#include "views/heatmap.h"
#include "views/i18n.h"
#include "views/plot.h"
#include "views/tensor_labels.h"
#include "views/trace_index.h"
#include "views/worked_example.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace attnviz::views {
namespace {

struct Matrix {
  const Tensor* tensor = nullptr;
  const Mat* values = nullptr;
  bool gradient = false;
  Slot slot = Slot::input;
  int index = 0;
  TensorId id;
};

std::uint64_t texture_key(const AppState& app, int step, const Matrix& m) {
  std::uint64_t key = app.generation * 0x9E3779B97F4A7C15ull;
  key ^= (static_cast<std::uint64_t>(step) << 20) ^ (static_cast<std::uint64_t>(m.slot) << 12) ^
         static_cast<std::uint64_t>(m.index) << 4;
  return key * 0xBF58476D1CE4E5B9ull + 1;
}

// The marks a chain-rule explanation puts on `m`: upstream factors in one colour, local in another.
std::vector<Mark> marks_for(const ChainExplanation& chain, const Matrix& m, const Palette& pal) {
  std::vector<Mark> marks;
  auto add = [&](const Element& e, ImU32 colour) {
    if (e.tensor == m.id) marks.push_back({e.row, e.col, colour});
  };
  if (const auto* backward = std::get_if<Explanation>(&chain)) {
    for (const Term& t : backward->terms) {
      if (m.slot == Slot::upstream) add(t.upstream_at, pal.upstream_mark);
      if (m.slot == Slot::input && t.local_at) add(*t.local_at, pal.local_mark);
    }
  } else if (const auto* forward = std::get_if<ForwardExplanation>(&chain)) {
    for (const Term& t : forward->terms) {
      if (m.slot != Slot::input) continue;
      add(t.upstream_at, pal.upstream_mark);
      if (t.local_at) add(*t.local_at, pal.local_mark);
    }
  }
  return marks;
}

void section(const char* title, const char* hint, const Palette& pal) {
  ImGui::Spacing();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(pal.accent));
  ImGui::TextUnformatted(title);
  ImGui::PopStyleColor();
  if (hint) {
    ImGui::SameLine();
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", hint);
    ImGui::PopTextWrapPos();
  }
}

// Lays the heatmaps out left to right, wrapping when the next one would not fit.
// `first` takes the screen rectangle of the first heatmap drawn (caption to colour bar).
void draw_matrices(const AppState& app, Selection& selection, int step, const std::vector<Matrix>& matrices,
                   const ChainExplanation& chain, std::optional<ImRect>& first) {
  const Palette& pal = palette(app.theme);
  const float digit = ImGui::CalcTextSize("0").x;
  HeatmapRow row{ImGui::GetContentRegionAvail().x, digit * 3};
  for (std::size_t i = 0; i < matrices.size(); ++i) {
    const Matrix& m = matrices[i];
    const AxisLabels rows = axis_labels(app, *m.tensor, m.tensor->rows);
    const AxisLabels cols = axis_labels(app, *m.tensor, m.tensor->cols);
    const std::vector<Mark> marks = marks_for(chain, m, pal);
    HeatmapSpec spec;
    spec.caption = tensor_caption(*m.tensor, m.gradient);
    spec.name = in_english([&] { return tensor_caption(*m.tensor, m.gradient); });
    spec.values = m.values;
    spec.scale = colour_scale(*m.tensor, m.gradient);
    spec.texture_key = texture_key(app, step, m);
    spec.element = ElementRef{step, m.slot, m.index, -1, -1};
    spec.row_labels = rows.words;
    spec.col_labels = cols.words;
    spec.row_tokens = rows.tokens;
    spec.col_tokens = cols.tokens;
    spec.col_features = cols.features;
    spec.marks = marks;
    const float ideal = digit * 11 + static_cast<float>(m.values->cols()) * digit * 6.5f;
    const float caption_w = ImGui::CalcTextSize(spec.caption.c_str()).x;
    row.draw(spec, std::min(row.full, std::max(ideal, std::min(caption_w, row.full))), static_cast<int>(i),
             HeatmapLook{app.theme, app.textures}, selection);
    if (!first) first = ImRect(ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  }
}

// A step's matrices: its inputs and outputs; backward, the gradients arriving (∂L/∂outputs) and
// passed down (this step's shares of ∂L/∂inputs).
struct StepMatrices {
  std::vector<Matrix> inputs, outputs, upstream, downstream;
};

StepMatrices step_matrices(const Trace& trace, const Step& step) {
  const bool backward = step.phase == Phase::backward;
  StepMatrices m;
  for (std::size_t i = 0; i < step.inputs.size(); ++i) {
    const Tensor& t = trace.tensor(step.inputs[i]);
    m.inputs.push_back({&t, &t.value, false, Slot::input, static_cast<int>(i), step.inputs[i]});
    if (!backward) continue;
    const Mat& share = trace.share(step, i);
    if (share.size() > 0 && t.requires_grad)
      m.downstream.push_back({&t, &share, true, Slot::downstream, static_cast<int>(i), step.inputs[i]});
  }
  for (std::size_t i = 0; i < step.outputs.size(); ++i) {
    const Tensor& t = trace.tensor(step.outputs[i]);
    m.outputs.push_back({&t, &t.value, false, Slot::output, static_cast<int>(i), step.outputs[i]});
    if (backward && t.grad.size() > 0 && t.requires_grad && t.grad.size() == t.value.size())
      m.upstream.push_back({&t, &t.grad, true, Slot::upstream, static_cast<int>(i), step.outputs[i]});
  }
  return m;
}

// One line for the operation and where it is (the where on hovering when the line is full, the
// step number in the controls), then the plain sentence and the formula, wrapped.
void header(const Step& step, const Palette& pal) {
  const bool backward = step.phase == Phase::backward;
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(backward ? pal.backward_arrow : pal.accent));
  ImGui::Text("%s%s   %s", backward ? "∂ " : "", op_title(step.op), step.label.c_str());
  ImGui::PopStyleColor();
  const std::string where = where_in_words(step.where);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", where.c_str());
  const float where_w = ImGui::CalcTextSize(("· " + where).c_str()).x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + where_w <=
      ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x) {
    ImGui::SameLine();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim), "· %s", where.c_str());
  }
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(tr(describe(step.op, step.phase)).c_str());
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(pal.text));
  ImGui::Text(tr("Formula:  %.*s"), static_cast<int>(step.formula.size()), step.formula.data());
  ImGui::PopStyleColor();
  ImGui::PopTextWrapPos();
  if (step.op == OpKind::scale) ImGui::Text("c = %.6g", step.args.c);
  if (!step.fully_masked_rows.empty())
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning),
                       tr("%zu row(s) have every key masked: their weights are 0."), step.fully_masked_rows.size());
  if (step.non_finite)
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning), tr("Non-finite value %g at [%d, %d]."),
                       step.non_finite->value, step.non_finite->row, step.non_finite->col);
  ImGui::Separator();
}

}  // namespace

// The step's matrices in sections: backward, the gradient arriving, the gradient passed down and
// the forward values used; forward, the inputs and the outputs.  Returns the first one's rectangle.
std::optional<ImRect> StepDetailPanel::matrix_sections(const AppState& app, Selection& selection, int index) {
  const Trace& trace = app.session.trace();
  const Step& step = trace.step(index);
  const Palette& pal = palette(app.theme);
  const ChainExplanation chain = explain_selection(app, selection);
  const StepMatrices m = step_matrices(trace, step);
  std::optional<ImRect> first;
  if (step.phase == Phase::backward) {
    section(tr("Gradient arriving from above"), tr("(upstream: ∂L/∂output)"), pal);
    draw_matrices(app, selection, index, m.upstream, chain, first);
    section(tr("Gradient passed down"), tr("— click an element to see its chain rule"), pal);
    draw_matrices(app, selection, index, m.downstream, chain, first);
    section(tr("Forward values this step uses"), nullptr, pal);
    draw_matrices(app, selection, index, m.inputs, chain, first);
  } else {
    section(tr("Inputs"), nullptr, pal);
    draw_matrices(app, selection, index, m.inputs, chain, first);
    section(tr("Outputs"), tr("— click an element to see how it was computed"), pal);
    draw_matrices(app, selection, index, m.outputs, chain, first);
  }
  return first;
}

void StepDetailPanel::draw(const AppState& app, Selection& selection, Commands& commands) {
  const Trace& trace = app.session.trace();
  example_grids_.clear();
  if (trace.step_count() == 0) return;
  const int index = std::clamp(selection.step, 0, trace.step_count() - 1);
  const Step& step = trace.step(index);
  const Palette& pal = palette(app.theme);
  const float window_top = ImGui::GetWindowPos().y;
  // Worked example A: its matrices first, in view whatever the step (its own heatmaps scroll below).
  if (app.session.fixed_attention()) {
    section(tr("Worked example A (notes 002)"),
            step.phase == Phase::backward ? tr("— ∂L/∂ of each; L = Σ O, so ∂L/∂O = 1")
                                          : tr("— click a value; loss L = Σ O (no target)"),
            pal);
    example_grids_ = draw_worked_example(app, selection, commands);
    ImGui::Separator();
  }
  header(step, pal);
  // The rest of the window, but at least a dozen lines (the window scrolls to them when the
  // example's grids above take the room).
  const float least = ImGui::GetTextLineHeightWithSpacing() * 12;
  const float rest = ImGui::GetContentRegionAvail().y;
  ImGui::BeginChild("matrices", ImVec2(0, rest < least ? least : 0.0f), false, ImGuiWindowFlags_HorizontalScrollbar);
  if (NormCompareView::applies(app, index)) norm_compare_.jump_button();
  // What the header and the first heatmap take, from the window's top, unscrolled.
  if (const std::optional<ImRect> first = matrix_sections(app, selection, index)) {
    first_matrix_ = *first;
    needed_h_ = first->Max.y + ImGui::GetScrollY() - window_top + ImGui::GetStyle().WindowPadding.y;
  }
  norm_compare_.draw(app, selection, index);
  ImGui::EndChild();
}

}  // namespace attnviz::views
