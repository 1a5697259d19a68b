#pragma once
// The menu bar: File (the file menu and Quit); View (theme, text size, a line per panel of the
// registry, Reset layout); a notice, the lesson being opened; on the right where the cursor is
// (when the controls had no room for it), the loss and the text size.

#include "views/app_state.h"
#include "views/commands.h"
#include "views/file_menu.h"
#include "views/panels.h"
#include "views/selection.h"

#include <functional>
#include <optional>

namespace attnviz::views {

struct MenuBar {
  // Returns the panel chosen in the View menu, if any; `shown` ticks the panels in view.
  std::optional<PanelId> draw(const AppState& app, const Selection& selection, Commands& commands, bool step_in_menu,
                              const std::function<bool(PanelId)>& shown);

  FileMenu files;
  float height = 0;  // last frame's
};

}  // namespace attnviz::views
