#pragma once
// The centre window: the step detail, and beside it the centre tabs of the registry (Heads,
// Attention, Masking, Position, Output), which follow the step cursor.  On a lesson that is one
// attention head without a Transformer (worked example A) a centre tab says why it is empty; a
// right-click where no matrix is saves the tab as a PNG.

#include "views/panel.h"

#include <optional>

namespace attnviz::views {

class CentreTabs {
 public:
  // The tab bar with every tab, in the current window.
  void draw(PanelSet& panels, const AppState& app, Selection& selection, Commands& commands);
  // One centre tab's panel, in the current window (inside its tab, or alone).
  void draw_tab(PanelSet& panels, PanelId id, const AppState& app, Selection& selection, Commands& commands);
  // Brings the tab of `id` (the step detail or a centre tab) forward on the next frame.
  void open(PanelId id) { open_ = id; }
  PanelId shown() const { return shown_; }  // the tab shown last frame

 private:
  std::optional<PanelId> open_;
  PanelId shown_ = PanelId::detail;
  std::optional<SaveImage> pending_image_;  // asked for by the context menu, saved on the next frame
};

}  // namespace attnviz::views
