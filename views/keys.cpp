#include "views/keys.h"

#include <imgui.h>

#include <algorithm>

namespace attnviz::views {
namespace {

bool key_pressed(int index, bool repeat = true) { return index >= 0 && ImGui::IsKeyPressed(index, repeat); }

}  // namespace

int twin_step(const Trace& trace, int step) {
  if (step < 0 || step >= trace.step_count()) return step;
  const int twin = trace.step(step).twin;
  if (twin >= 0) return twin;
  // Steps without a twin (the loss, say): the nearest earlier step that has one.
  for (int i = step - 1; i >= 0; --i)
    if (trace.step(i).twin >= 0) return trace.step(i).twin;
  return step;
}

void key_commands(const KeyCodes& keys, const AppState& app, const Selection& selection, Commands& commands) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  const Trace& trace = app.session.trace();
  const int last = trace.step_count() - 1;
  const int step = selection.step;
  if (io.KeyCtrl) {
    if (key_pressed(keys.equal, false) || key_pressed(keys.keypad_add, false))
      commands.push(SetUiScale{larger_text_size(app.ui_scale)});
    if (key_pressed(keys.minus, false) || key_pressed(keys.keypad_subtract, false))
      commands.push(SetUiScale{smaller_text_size(app.ui_scale)});
    if (key_pressed(keys.zero, false) || key_pressed(keys.keypad_0, false)) commands.push(SetUiScale{1.0f});
    return;
  }
  if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow)))
    commands.push(GoToStep{io.KeyShift ? app.index.next_sublayer(step) : step + 1});
  if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow)))
    commands.push(GoToStep{io.KeyShift ? app.index.previous_sublayer(step) : step - 1});
  if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_Home), false)) commands.push(GoToStep{0});
  if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_End), false)) commands.push(GoToStep{last});
  if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) commands.push(SetPlaying{!app.playing});
  if (key_pressed(keys.b, false)) commands.push(GoToStep{twin_step(trace, step)});
  if (key_pressed(keys.f5, false)) commands.push(SetPresenter{!app.presenter});
  if (app.presenter && key_pressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) commands.push(SetPresenter{false});
  if (app.lesson && !app.lesson->tour.empty()) {
    if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_PageDown), false) || key_pressed(keys.n, false))
      commands.push(GoToTourStop{app.tour_stop + 1});
    if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_PageUp), false) || key_pressed(keys.p, false))
      commands.push(GoToTourStop{std::max(0, app.tour_stop - 1)});
  }
}

}  // namespace attnviz::views
