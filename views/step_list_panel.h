#pragma once
// Step list: every step in order, grouped by phase › stack › layer › sublayer › head; the current
// one highlighted and scrolled into view when it changes; click to jump.

#include "views/app_state.h"
#include "views/commands.h"
#include "views/selection.h"

namespace attnviz::views {

struct StepListPanel {
  void draw(const AppState& app, Selection& selection, Commands& commands);

 private:
  int scrolled_to_ = -1;  // the step last brought into view
  std::uint64_t scrolled_generation_ = 0;
};

}  // namespace attnviz::views
