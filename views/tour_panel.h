#pragma once
// The lesson's tour: the stop's title and note (English or Korean), "stop 3 of 15", Previous and
// Next (also PageUp / PageDown, what a presentation clicker sends, and P / N); and the tour's
// editor: "Add this view as a stop" (the window captures where it is), each stop's title and
// note in both languages, moved up or down, deleted.  File ▸ Save lesson writes the tour.

#include "views/panel.h"

#include <string>
#include <utility>

namespace attnviz::views {

struct TourPanel : Panel {
  void draw(const AppState& app, Selection& selection, Commands& commands) override;
  // The user asked to add the current view as a stop after the one shown; the window, which
  // knows its tabs, answers with a SetTour command (take_capture_request clears it).
  bool take_capture_request() { return std::exchange(capture_requested_, false); }

 private:
  void stop_view(const AppState& app, Commands& commands);
  void editor(const AppState& app, Commands& commands);
  void text_fields(const AppState& app, Commands& commands);
  void order_buttons(const AppState& app, Commands& commands);

  bool capture_requested_ = false;
  int editing_ = -1;  // the stop whose fields the buffers hold
  std::string title_en_, title_ko_, note_en_, note_ko_;
};

// A stop at the window's current place: the cursor's step (and phase), `panel`, the selected
// element of that step, the text size when not 100 %; titled "Stop N".
TourStop stop_here(const AppState& app, const Selection& selection, PanelId panel, int number);

}  // namespace attnviz::views
