#pragma once
// The controls under the menu bar: Home, ◀◀ Block, ◀ Step, Step ▶, Block ▶▶, End, Play, the
// playback speed and the jump to the twin step, wrapping onto as many rows as the window's width
// needs; where the cursor is ("Step 503 of 0–523  backward") at the end of the row when it fits;
// the lesson's line; the sentence bar.

#include "views/app_state.h"
#include "views/commands.h"
#include "views/selection.h"
#include "views/sentence_bar.h"

#include <string>

namespace attnviz::views {

class ControlsBar {
 public:
  // Returns true when the controls need another height than last frame (the panels re-tile).
  bool draw(const AppState& app, Selection& selection, Commands& commands);
  // The height the controls and sentences took last frame, window padding included (0: not yet).
  float height() const { return height_; }
  // The row had no room for where the cursor is: the menu bar shows it.
  bool step_in_menu() const { return step_in_menu_; }

 private:
  void step_buttons(const AppState& app, const Selection& selection, Commands& commands);
  void where_the_cursor_is(const AppState& app, const Selection& selection);

  SentenceBar sentences_;
  float height_ = 0;
  bool step_in_menu_ = false;
};

// "Step 503 of 0–523  backward".
std::string step_in_words(const Trace& trace, int step);

}  // namespace attnviz::views
