#pragma once
// The window's keys: ← → step, Shift+← → sublayer, Home End, Space play/pause, B the twin step,
// PageDown / N and PageUp / P the tour's next and previous stop (a presentation clicker's keys),
// F5 presenter mode on or off, Esc off,
// Ctrl + / Ctrl − text size (100, 125, 150, 175, 200 %), Ctrl 0 back to 100 %.  Each is also a
// button or a menu item.

#include "views/app_state.h"
#include "views/commands.h"
#include "views/selection.h"

namespace attnviz::views {

// Native key indices (into ImGuiIO::KeysDown) of the keys ImGui 1.86 has no ImGuiKey_ for.
// The defaults are GLFW's key codes: printable keys are their upper-case ASCII code.
struct KeyCodes {
  int b = 'B', n = 'N', p = 'P', f5 = 294;
  int equal = '=', minus = '-', zero = '0';
  int keypad_add = 334, keypad_subtract = 333, keypad_0 = 320;
};

// The commands of the keys pressed this frame (none while a text field has the keyboard).
void key_commands(const KeyCodes& keys, const AppState& app, const Selection& selection, Commands& commands);

// The step B jumps to: the twin of the current step, or of the nearest step that has one.
int twin_step(const Trace& trace, int step);

}  // namespace attnviz::views
