#include "views/chain_rule_panel.h"

#include "views/chain_terms.h"
#include "views/heatmap.h"
#include "views/i18n.h"

#include <cmath>
#include <cstdio>

namespace attnviz::views {
namespace {

ImVec4 colour(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

// Five significant digits, a true minus sign: "−0.042517", "0.00072438".
std::string number(double v) { return format_significant(v, 5); }

// Columns: k · first factor · × second factor · = product.
// `lines_below`: the lines drawn under the table, kept visible.
void terms_table(const Trace& trace, const std::vector<Term>& terms, bool backward, const Palette& pal,
                 float lines_below = 3.5f) {
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingStretchProp;
  const float reserve = ImGui::GetTextLineHeightWithSpacing() * lines_below;
  const float height = std::max(ImGui::GetTextLineHeightWithSpacing() * 3, ImGui::GetContentRegionAvail().y - reserve);
  if (!ImGui::BeginTable("terms", 4, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("k", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("00").x);
  ImGui::TableSetupColumn(backward ? tr("upstream ∂L/∂") : tr("factor"), ImGuiTableColumnFlags_WidthStretch, 1.1f);
  ImGui::TableSetupColumn(backward ? tr("× local") : tr("× factor"), ImGuiTableColumnFlags_WidthStretch, 1.3f);
  ImGui::TableSetupColumn(tr("= product"), ImGuiTableColumnFlags_WidthStretch, 1.15f);
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
      const std::string how = !t.local_text.empty() ? fill_format(tr(t.local_text), t.local_words)
                              : t.local_at          ? element_name(trace, *t.local_at, false)
                                                    : std::string();
      ImGui::TextDisabled("%s", how.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(number(t.product()).c_str());
    }
  }
  ImGui::EndTable();
}

bool agree(double a, double b) { return std::abs(a - b) <= 1e-9 + 1e-9 * std::abs(b); }

void check_mark(bool equal, const Palette& pal) {
  ImGui::SameLine();
  ImGui::TextColored(colour(equal ? pal.ok : pal.warning), equal ? tr("✓ equal") : tr("✗ differs"));
}

// "k_proj": the last part of a step's label, the reader a share flows through.
std::string reader_name(const Step& step) {
  const std::size_t dot = step.label.rfind('.');
  return dot == std::string::npos ? step.label : step.label.substr(dot + 1);
}

// Every reader's share of ∂L/∂X[r,c], each a button to its backward step, and their sum checked
// against the stored gradient.
void shares_table(const Trace& trace, const std::string& target, const ElementRef& at, const Palette& pal,
                  Commands& commands) {
  const TensorId id = trace.step(at.step).inputs[static_cast<std::size_t>(at.index)];
  const GradientShares g = gradient_shares(trace, id, at.row, at.col);
  ImGui::Separator();
  ImGui::Text(tr("%s has %zu shares, one per step that reads it:"), target.c_str(), g.shares.size());
  for (const Share& share : g.shares) {
    const Step& b = trace.step(share.step);
    ImGui::PushID(share.step);
    const bool here = share.step == at.step;
    const std::string button = formatted(tr("step %d  %s"), share.step, b.label.c_str());
    if (ImGui::Selectable(button.c_str(), here, 0, ImVec2(ImGui::GetContentRegionAvail().x * 0.7f, 0)) && !here)
      commands.push(GoToElement{ElementRef{share.step, Slot::downstream, share.input, at.row, at.col}});
    if (ImGui::IsItemHovered()) ImGui::SetTooltip(tr("Open this share's chain rule at its backward step"));
    ImGui::SameLine();
    ImGui::TextUnformatted(number(share.value).c_str());
    ImGui::PopID();
  }
  ImGui::Text(tr("Σ of the shares = %s;  stored %s = %s"), number(g.sum).c_str(), target.c_str(),
              number(g.stored).c_str());
  check_mark(agree(g.sum, g.stored), pal);
}

void draw_backward(const Trace& trace, const ElementRef& at, const Explanation& e, const Palette& pal,
                   Commands& commands) {
  const Step& step = trace.step(at.step);
  const Element element{step.inputs[static_cast<std::size_t>(at.index)], at.row, at.col};
  const std::string target = element_name(trace, element, true);
  const std::string lhs =
      e.is_share ? formatted(tr("share of %s through %s"), target.c_str(), reader_name(step).c_str()) : target;
  const int readers = e.is_share ? trace.readers(element.tensor) : 0;
  ImGui::PushTextWrapPos(0);
  ImGui::Text(tr("%s = Σₖ upstreamₖ × localₖ"), lhs.c_str());
  ImGui::TextDisabled("%s", e.rule.c_str());
  ImGui::TextColored(colour(pal.upstream_mark), tr("upstream"));
  ImGui::SameLine();
  ImGui::TextDisabled(tr("= ∂L/∂ of an output element (from the step above)"));
  ImGui::TextColored(colour(pal.local_mark), tr("local"));
  ImGui::SameLine();
  ImGui::TextDisabled(tr("= how that output element changes with this one"));
  ImGui::PopTextWrapPos();
  terms_table(trace, e.terms, true, pal, e.is_share ? 5.5f + static_cast<float>(readers) * 1.1f : 3.5f);
  ImGui::Text(trn("Σ of %zu term = %s", "Σ of %zu terms = %s", e.terms.size()), e.terms.size(), number(e.sum).c_str());
  ImGui::Text("%s = %s", e.is_share ? tr("share stored by this step") : tr("stored by the model"),
              number(e.stored).c_str());
  check_mark(agree(e.sum, e.stored), pal);
  if (e.is_share) shares_table(trace, target, at, pal, commands);
}

void draw_forward(const Trace& trace, const std::string& target, const ForwardExplanation& e, const Palette& pal) {
  ImGui::PushTextWrapPos(0);
  ImGui::Text(tr("How %s was computed"), target.c_str());
  ImGui::TextDisabled("%s", e.rule.c_str());
  if (!e.terms.empty()) {
    terms_table(trace, e.terms, false, pal);
    double sum = 0;
    for (const Term& t : e.terms) sum += t.product();
    ImGui::Text(trn("Σ of %zu product = %s", "Σ of %zu products = %s", e.terms.size()), e.terms.size(),
                number(sum).c_str());
    if (e.constant != 0) ImGui::Text("+ %s", number(e.constant).c_str());
  }
  if (!e.after.empty()) ImGui::Text(tr("then %s"), fill_format(tr(e.after), e.after_words).c_str());
  ImGui::Text(tr("%s = %s (as recorded)"), target.c_str(), number(e.value).c_str());
  ImGui::PopTextWrapPos();
}

}  // namespace

void ChainRulePanel::draw(const AppState& app, Selection& selection, Commands& commands) {
  const Palette& pal = palette(app.theme);
  const ChainExplanation chain = explain_selection(app, selection);
  const Trace& trace = app.session.trace();
  const ElementRef& at = selection.element;
  if (const auto* backward = std::get_if<Explanation>(&chain)) {
    draw_backward(trace, at, *backward, pal, commands);
  } else if (const auto* forward = std::get_if<ForwardExplanation>(&chain)) {
    const Element target{trace.step(at.step).outputs[static_cast<std::size_t>(at.index)], at.row, at.col};
    draw_forward(trace, element_name(trace, target, false), *forward, pal);
  } else {
    ImGui::PushTextWrapPos(0);
    const Step& step = app.session.trace().step(selection.step);
    if (step.phase == Phase::backward)
      ImGui::TextUnformatted(
          tr("Click an element of a gradient passed down (in the step detail) to see "
             "∂L/∂X[r,c] = Σₖ upstreamₖ × localₖ with every number."));
    else
      ImGui::TextUnformatted(tr("Click an element of an output (in the step detail) to see how it was computed."));
    ImGui::PopTextWrapPos();
  }
}

}  // namespace attnviz::views
