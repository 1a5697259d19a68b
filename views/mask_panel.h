#pragma once
// Masking: the source padding, target padding and look-ahead masks and their combinations as
// matrices (1 = may attend, 0 = masked), each titled with the attention it applies to; for the
// chosen head the scores before masking, after (−∞ where masked) and the weights after (0 where
// masked); and a control that pads the sentences so the padding masks have work to do.

#include "model/analysis/attention.h"
#include "views/panel.h"

#include <cstdint>

namespace attnviz::views {

// The head is selection.head.
struct MaskPanel : Panel {
  void draw(const AppState& app, Selection& selection, Commands& commands) override;

 private:
  void padding_control(const AppState& app, Commands& commands, const Palette& pal);

  int pad_ = -1;  // the padding being edited; −1: the session's
  std::uint64_t pad_generation_ = 0;
};

}  // namespace attnviz::views
