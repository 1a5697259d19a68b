#include "views/linked_panels.h"

#include "views/head_focus.h"
#include "views/plot.h"

#include <cctype>
#include <string>

namespace attnviz::views {

const char* page_title(LinkedPage page) {
  switch (page) {
    case LinkedPage::heads: return "Heads";
    case LinkedPage::attention: return "Attention";
    case LinkedPage::mask: return "Masking";
    case LinkedPage::pe: return "Position";
    case LinkedPage::output: return "Output";
  }
  return "";
}

void LinkedPanels::follow_cursor(const AppState& app, const Selection& selection) {
  if (const std::optional<analysis::HeadRef> at = head_of(selection.where)) head_ = *at;
  else if (selection.where.layer >= 0 &&
           (selection.where.sublayer == Sublayer::self_attn || selection.where.sublayer == Sublayer::cross_attn)) {
    // A step of an attention block outside the heads (q_proj, concat): keep the head, take the block.
    head_.attention = selection.where.stack == Stack::encoder        ? analysis::AttentionKind::encoder_self
                      : selection.where.sublayer == Sublayer::self_attn ? analysis::AttentionKind::decoder_self
                                                                        : analysis::AttentionKind::cross;
    head_.layer = selection.where.layer;
  }
  head_ = clamp_head(app.session.config(), head_);
}

void LinkedPanels::head_bar(const AppState& app, const Selection& selection, Commands& commands) {
  const Trace& trace = app.session.trace();
  analysis::HeadRef chosen = head_;
  if (choose_head(app.session.config(), chosen)) {
    head_ = chosen;
    const Phase phase = trace.step(selection.step).phase;
    const int step = head_step(trace, head_, "softmax", phase);
    if (step >= 0) commands.push(GoToStep{step});
  }
  const int step = head_step(trace, head_, "softmax", trace.step(selection.step).phase);
  if (step >= 0 && step != selection.step) {
    same_line_if_fits(ImGui::CalcTextSize("go to its softmax step").x + ImGui::GetStyle().FramePadding.x * 2);
    if (ImGui::SmallButton("go to its softmax step")) commands.push(GoToStep{step});
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Step %d: %s", step, trace.step(step).label.c_str());
  } else {
    same_line_if_fits(ImGui::CalcTextSize("(follows the step cursor)").x);
    ImGui::TextDisabled("(follows the step cursor)");
  }
}

void LinkedPanels::draw(LinkedPage page, const AppState& app, Selection& selection, Commands& commands) {
  if (app.session.fixed_attention()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted("This lesson is worked example A: one attention head on fixed matrices, with no Transformer "
                           "around it. Its matrices are in the Step detail tab.");
    ImGui::PopTextWrapPos();
    return;
  }
  follow_cursor(app, selection);
  // Right-click where no matrix is: save what the panel shows, on the next frame (without the menu).
  if (pending_image_) {
    commands.push(*pending_image_);
    pending_image_.reset();
  }
  const ImVec2 min = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
  if (ImGui::BeginPopupContextWindow("panel", ImGuiPopupFlags_MouseButtonRight | ImGuiPopupFlags_NoOpenOverItems)) {
    if (ImGui::MenuItem("Save this panel as PNG")) {
      std::string name = std::string("attnviz-") + page_title(page);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      pending_image_ = SaveImage{min, ImVec2(min.x + size.x, min.y + size.y), name};
    }
    ImGui::EndPopup();
  }
  switch (page) {
    case LinkedPage::heads: {
      head_bar(app, selection, commands);
      analysis::HeadRef clicked = head_;
      if (attention.draw_grid(app, selection, clicked)) {
        head_ = clicked;
        const int step = head_step(app.session.trace(), head_, "softmax", app.session.trace().step(selection.step).phase);
        if (step >= 0) commands.push(GoToStep{step});
        page_request_ = LinkedPage::attention;
      }
      break;
    }
    case LinkedPage::attention:
      head_bar(app, selection, commands);
      attention.draw(app, selection, commands, head_);
      break;
    case LinkedPage::mask:
      head_bar(app, selection, commands);
      mask.draw(app, selection, commands, head_);
      break;
    case LinkedPage::pe: pe.draw(app, selection, commands); break;
    case LinkedPage::output: output.draw(app, selection, commands); break;
  }
}

}  // namespace attnviz::views
