#include "views/step_list_panel.h"

#include "views/tensor_labels.h"

namespace attnviz::views {

void StepListPanel::draw(const AppState& app, Selection& selection, Commands& commands) {
  const Trace& trace = app.session.trace();
  const std::vector<StepRow>& rows = app.index.rows();
  const Palette& pal = palette(app.theme);
  const float row_h = ImGui::GetTextLineHeightWithSpacing();
  const float indent = ImGui::GetFontSize() * 0.8f;
  const float number_w = ImGui::CalcTextSize(std::to_string(trace.step_count() - 1).c_str()).x;
  // A wide list (the steps view on its own) also shows each step's formula.
  const float formula_x = ImGui::GetStyle().WindowPadding.x + indent * 5 + number_w + ImGui::GetFontSize() * 12;
  const bool show_formulas = ImGui::GetContentRegionAvail().x > ImGui::GetFontSize() * 40;

  ImGui::BeginChild("rows");
  if (selection.step != scrolled_to_ || app.generation != scrolled_generation_) {
    const float y = row_h * static_cast<float>(app.index.row_of_step(selection.step));
    const float top = ImGui::GetScrollY(), height = ImGui::GetWindowHeight();
    if (y < top + row_h || y > top + height - 2 * row_h) ImGui::SetScrollY(y - height * 0.4f);
    scrolled_to_ = selection.step;
    scrolled_generation_ = app.generation;
  }
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()), row_h);
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      const StepRow& row = rows[static_cast<std::size_t>(r)];
      ImGui::SetCursorPosX(ImGui::GetStyle().WindowPadding.x + indent * static_cast<float>(row.depth));
      if (row.step < 0) {
        const ImU32 c = row.depth == 0 ? pal.accent : pal.text_dim;
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(c), "%s", row.text.c_str());
        continue;
      }
      const Step& step = trace.step(row.step);
      ImGui::PushID(row.step);
      // The index right-aligned in a column as wide as the largest one, then the label.
      const float x = ImGui::GetCursorPosX();
      if (ImGui::Selectable("##step", row.step == selection.step)) commands.push(GoToStep{row.step});
      const bool hovered = ImGui::IsItemHovered();
      if (row.step == selection.hover.pointed_step())
        ImGui::GetWindowDrawList()->AddRect(ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), pal.hover_outline, 0, 0,
                                            2);
      char number[16];
      std::snprintf(number, sizeof number, "%d", row.step);
      ImGui::SameLine(x + number_w - ImGui::CalcTextSize(number).x);
      ImGui::TextUnformatted(number);
      ImGui::SameLine(x + number_w + indent);
      ImGui::TextUnformatted(row.text.c_str());
      if (show_formulas) {
        ImGui::SameLine(formula_x);
        ImGui::TextDisabled("%.*s", static_cast<int>(step.formula.size()), step.formula.data());
      }
      if (hovered) {
        ImGui::BeginTooltip();
        ImGui::Text("%s · %s", op_title(step.op), step.label.c_str());
        ImGui::TextUnformatted(step.formula.data(), step.formula.data() + step.formula.size());
        ImGui::EndTooltip();
      }
      ImGui::PopID();
    }
  }
  ImGui::EndChild();
}

}  // namespace attnviz::views
