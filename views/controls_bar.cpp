#include "views/controls_bar.h"

#include "views/i18n.h"
#include "views/keys.h"
#include "views/plot.h"
#include "views/tooltip_button.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>

namespace attnviz::views {
namespace {

// The width of a button labelled `label`.
float button_w(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2;
}

// A tooltip button on the same row when it fits, else at the start of the next.
bool wrapped_button(const char* label, const char* tooltip, bool enabled = true) {
  same_line_if_fits(button_w(label));
  return tooltip_button(label, tooltip, enabled);
}

// `text` cut with "…" (at a whole UTF-8 character) where it would pass `room` pixels.
std::string cut_to(std::string text, float room) {
  if (ImGui::CalcTextSize(text.c_str()).x <= room) return text;
  std::size_t end = text.size();
  while (end > 0 && ImGui::CalcTextSize((text.substr(0, end) + "…").c_str()).x > room) {
    do --end;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80);
  }
  return text.substr(0, end) + "…";
}

// "Lesson: Self-attention by hand — Worked example A of the notes: …" on one line, the
// description cut with "…" where the window ends and whole in a tooltip.
void lesson_title(const AppState& app) {
  const Palette& pal = palette(app.theme);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.accent), tr("Lesson: %s"),
                     app.lesson->title.in(app.language).c_str());
  const std::string& description = app.lesson->description.in(app.language);
  if (description.empty()) return;
  ImGui::SameLine();
  ImGui::TextDisabled("%s", cut_to("— " + description, ImGui::GetContentRegionAvail().x).c_str());
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 35);
    ImGui::TextUnformatted(description.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

// The reference check in the interface language: the model's own line in English; the same
// figures in a translated sentence otherwise.
std::string reference_in_words(const ReferenceCheck& r) {
  if (interface_language() == Language::en) return r.message;
  const std::string by = r.by.empty() ? tr("the reference") : r.by;
  if (r.shapes_differ())
    return formatted(tr("does not match %s: the logits here are %ld × %ld, the reference's %ld × %ld"), by.c_str(),
                     r.rows, r.cols, r.reference_rows, r.reference_cols);
  if (r.agrees)
    return formatted(tr("agrees with %s on the example: loss %.6g (relative difference %.1g), logits to %.1g"),
                     by.c_str(), r.loss, r.loss_error, r.logits_error);
  return formatted(
      tr("disagrees with %s on the example: loss %.10g here, %.10g there (relative difference %.2g), logits "
         "differ by up to %.3g (relative %.2g): this lesson does not compute the model that was trained "
         "(check its config, special tokens and weights)"),
      by.c_str(), r.loss, r.reference_loss, r.loss_error, r.logits_difference, r.logits_error);
}

// Under the title: the lesson's reference checked ("✓ agrees with PyTorch …", in red when it
// disagrees) and its notes (keys accepted but ignored).
void lesson_checks(const AppState& app) {
  const Palette& pal = palette(app.theme);
  if (app.reference) {
    const ReferenceCheck& r = *app.reference;
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(r.agrees ? pal.ok : pal.warning));
    ImGui::TextWrapped(tr("%s This model %s"), r.agrees ? "✓" : "✗", reference_in_words(r).c_str());
    ImGui::PopStyleColor();
  }
  for (const std::string& note : app.lesson->notes) ImGui::TextDisabled(tr("Note: %s"), note.c_str());
}

void lesson_line(const AppState& app) {
  if (!app.lesson || app.lesson->title.en.empty()) return;
  lesson_title(app);
  lesson_checks(app);
}

}  // namespace

std::string step_in_words(const Trace& trace, int step) {
  return formatted(tr("Step %d of 0–%d  %s"), step, trace.step_count() - 1,
                   trace.step(step).phase == Phase::backward ? tr("backward") : tr("forward"));
}

void ControlsBar::step_buttons(const AppState& app, const Selection& selection, Commands& commands) {
  const Trace& trace = app.session.trace();
  const int step = selection.step, last = trace.step_count() - 1;
  const bool backward = trace.step(step).phase == Phase::backward;
  if (tooltip_button(tr("Home"), tr("First step (Home)"), step > 0)) commands.push(GoToStep{0});
  if (wrapped_button(tr("◀◀ Block"), tr("Previous sublayer (Shift + ←)"), step > 0))
    commands.push(GoToStep{app.index.previous_sublayer(step)});
  if (wrapped_button(tr("◀ Step"), tr("Previous step (←)"), step > 0)) commands.push(GoToStep{step - 1});
  if (wrapped_button(tr("Step ▶"), tr("Next step (→)"), step < last)) commands.push(GoToStep{step + 1});
  if (wrapped_button(tr("Block ▶▶"), tr("Next sublayer (Shift + →)"), step < last))
    commands.push(GoToStep{app.index.next_sublayer(step)});
  if (wrapped_button(tr("End"), tr("Last step (End)"), step < last)) commands.push(GoToStep{last});
  if (wrapped_button(app.playing ? tr("Pause") : tr("Play"), tr("Play or pause (Space)")))
    commands.push(SetPlaying{!app.playing});
  float speed = app.play_speed;
  same_line_if_fits(ImGui::GetFontSize() * 9);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  if (ImGui::SliderFloat("##speed", &speed, 0.5f, 20.0f, tr("%.1f steps/s"), ImGuiSliderFlags_Logarithmic))
    commands.push(SetPlaySpeed{speed});
  if (ImGui::IsItemHovered()) ImGui::SetTooltip(tr("Playback speed"));
  if (wrapped_button(backward ? tr("To forward (B)") : tr("To backward (B)"),
                     tr("Jump between a forward step and its backward twin (B)")))
    commands.push(GoToStep{twin_step(trace, step)});
}

// At the end of the buttons' row when it fits there, else (step_in_menu_) in the menu bar.
void ControlsBar::where_the_cursor_is(const AppState& app, const Selection& selection) {
  const Trace& trace = app.session.trace();
  const std::string where = step_in_words(trace, selection.step);
  const float where_w = ImGui::CalcTextSize(where.c_str()).x;
  step_in_menu_ = ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + where_w >
                  ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (step_in_menu_) return;
  const Palette& pal = palette(app.theme);
  const bool backward = trace.step(selection.step).phase == Phase::backward;
  ImGui::SameLine();
  ImGui::AlignTextToFramePadding();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(backward ? pal.backward_arrow : pal.accent), "%s", where.c_str());
}

bool ControlsBar::draw(const AppState& app, Selection& selection, Commands& commands) {
  step_buttons(app, selection, commands);
  where_the_cursor_is(app, selection);
  ImGui::Separator();
  lesson_line(app);
  sentences_.draw(app, selection, commands);
  const float needed = ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y + ImGui::GetStyle().WindowPadding.y;
  if (std::abs(needed - height_) <= 1.0f) return false;
  height_ = needed;
  return true;
}

}  // namespace attnviz::views
