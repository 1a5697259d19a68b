#include "views/chain_rule_panel.h"

#include "views/chain_terms.h"
#include "views/heatmap.h"

#include <cmath>
#include <cstdio>

namespace attnviz::views {
namespace {

ImVec4 colour(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

// Five significant digits, a true minus sign: "−0.042517", "0.00072438".
std::string number(double v) { return format_significant(v, 5); }

// Columns: k · first factor · × second factor · = product.
void terms_table(const Trace& trace, const std::vector<Term>& terms, bool backward, const Palette& pal) {
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingStretchProp;
  const float reserve = ImGui::GetTextLineHeightWithSpacing() * 3.5f;
  const float height = std::max(ImGui::GetTextLineHeightWithSpacing() * 3, ImGui::GetContentRegionAvail().y - reserve);
  if (!ImGui::BeginTable("terms", 4, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("k", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("00").x);
  ImGui::TableSetupColumn(backward ? "upstream ∂L/∂" : "factor", ImGuiTableColumnFlags_WidthStretch, 1.1f);
  ImGui::TableSetupColumn(backward ? "× local" : "× factor", ImGuiTableColumnFlags_WidthStretch, 1.3f);
  ImGui::TableSetupColumn("= product", ImGuiTableColumnFlags_WidthStretch, 1.15f);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(terms.size()));
  while (clipper.Step()) {
    for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
      const Term& t = terms[static_cast<std::size_t>(k)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%d", k);
      ImGui::TableNextColumn();
      ImGui::TextColored(colour(pal.upstream_mark), "%s", number(t.upstream).c_str());
      ImGui::TextDisabled("%s", element_name(trace, t.upstream_at, false).c_str());  // ∂L/∂ is in the header
      ImGui::TableNextColumn();
      ImGui::TextColored(colour(pal.local_mark), "%s", number(t.local).c_str());
      const std::string how = !t.local_text.empty() ? t.local_text
                              : t.local_at        ? element_name(trace, *t.local_at, false)
                                                  : std::string();
      ImGui::TextDisabled("%s", how.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(number(t.product()).c_str());
    }
  }
  ImGui::EndTable();
}

void draw_backward(const Trace& trace, const std::string& target, const Explanation& e, const Palette& pal) {
  ImGui::PushTextWrapPos(0);
  ImGui::Text("%s = Σₖ upstreamₖ × localₖ", target.c_str());
  ImGui::TextDisabled("%s", e.rule.c_str());
  ImGui::TextColored(colour(pal.upstream_mark), "upstream");
  ImGui::SameLine();
  ImGui::TextDisabled("= ∂L/∂ of an output element (from the step above)");
  ImGui::TextColored(colour(pal.local_mark), "local");
  ImGui::SameLine();
  ImGui::TextDisabled("= how that output element changes with this one");
  ImGui::PopTextWrapPos();
  terms_table(trace, e.terms, true, pal);
  ImGui::Text("Σ of %zu term%s = %s", e.terms.size(), e.terms.size() == 1 ? "" : "s", number(e.sum).c_str());
  const bool equal = std::abs(e.sum - e.stored) <= 1e-9 + 1e-9 * std::abs(e.stored);
  ImGui::Text("stored by the model = %s", number(e.stored).c_str());
  ImGui::SameLine();
  ImGui::TextColored(colour(equal ? pal.ok : pal.warning), equal ? "✓ equal" : "✗ differs");
}

void draw_forward(const Trace& trace, const std::string& target, const ForwardExplanation& e, const Palette& pal) {
  ImGui::PushTextWrapPos(0);
  ImGui::Text("How %s was computed", target.c_str());
  ImGui::TextDisabled("%s", e.rule.c_str());
  if (!e.terms.empty()) {
    terms_table(trace, e.terms, false, pal);
    double sum = 0;
    for (const Term& t : e.terms) sum += t.product();
    ImGui::Text("Σ of %zu product%s = %s", e.terms.size(), e.terms.size() == 1 ? "" : "s", number(sum).c_str());
    if (e.constant != 0) ImGui::Text("+ %s", number(e.constant).c_str());
  }
  if (!e.after.empty()) ImGui::Text("then %s", e.after.c_str());
  ImGui::Text("%s = %s (as recorded)", target.c_str(), number(e.value).c_str());
  ImGui::PopTextWrapPos();
}

}  // namespace

void ChainRulePanel::draw(const AppState& app, Selection& selection, Commands&) {
  const Palette& pal = palette(app.theme);
  const ChainExplanation chain = explain_selection(app, selection);
  const Trace& trace = app.session.trace();
  const ElementRef& at = selection.element;
  if (const auto* backward = std::get_if<Explanation>(&chain)) {
    const Element target{trace.step(at.step).inputs[static_cast<std::size_t>(at.index)], at.row, at.col};
    draw_backward(trace, element_name(trace, target, true), *backward, pal);
  } else if (const auto* forward = std::get_if<ForwardExplanation>(&chain)) {
    const Element target{trace.step(at.step).outputs[static_cast<std::size_t>(at.index)], at.row, at.col};
    draw_forward(trace, element_name(trace, target, false), *forward, pal);
  } else {
    ImGui::PushTextWrapPos(0);
    const Step& step = app.session.trace().step(selection.step);
    if (step.phase == Phase::backward)
      ImGui::TextUnformatted("Click an element of a gradient passed down (in the step detail) to see "
                             "∂L/∂X[r,c] = Σₖ upstreamₖ × localₖ with every number.");
    else
      ImGui::TextUnformatted("Click an element of an output (in the step detail) to see how it was computed.");
    ImGui::PopTextWrapPos();
  }
}

}  // namespace attnviz::views
