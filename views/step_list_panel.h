#pragma once
// Step list: every step in order, grouped by phase › stack › layer › sublayer › head; the current
// one highlighted and scrolled into view when it changes; click to jump.

#include "views/panel.h"

namespace attnviz::views {

struct StepListPanel : Panel {
  void draw(const AppState& app, Selection& selection, Commands& commands) override;

 private:
  int scrolled_to_ = -1;  // the step last brought into view
  std::uint64_t scrolled_generation_ = 0;
};

}  // namespace attnviz::views
