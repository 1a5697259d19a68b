#pragma once
// Heads: every layer × head of one attention (encoder self, masked decoder self, encoder–decoder)
// as a small heatmap of its weights A (T_q,T_k), layers down and heads across, query words beside
// the first column and key words under the last row.  Hover one to light its step in the step
// list and the navigator; click it to open it in the Attention tab.

#include "views/panel.h"

#include <cstddef>

namespace attnviz::views {

// The side of one head's thumbnail, from the room across (`by_w`) and down (`by_h`): tall enough
// for a token name per row (`tokens` lines) where the width allows, the panel scrolling then;
// within 3 to 12 font sizes.
float thumbnail_side(float by_w, float by_h, std::size_t tokens, float line, float font);

struct HeadsPanel : Panel {
  void draw(const AppState& app, Selection& selection, Commands& commands) override;
};

}  // namespace attnviz::views
