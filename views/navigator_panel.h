#pragma once
// Architecture navigator: the paper's Transformer figure drawn live.  Encoder on the left,
// decoder on the right, data flowing up.  The block of the current step glows; clicking a
// block jumps to its first step in the current phase.  In the backward phase the arrows turn
// around and every block already passed shows ‖∂L/∂(its input)‖, the gradient flowing out of it.

#include "views/panel.h"

namespace attnviz::views {

struct NavigatorPanel : Panel {
  static constexpr float min_label_scale = 0.6f;  // of the text size

  void draw(const AppState& app, Selection& selection, Commands& commands) override;
  float label_pixels() const { return label_pixels_; }  // the block titles' height, last frame

 private:
  void follow_cursor(const Trace& trace, const Config& config, int step);

  int shown_layer_[2] = {0, 0};  // encoder, decoder: which layer the N× frame shows
  int followed_step_ = -1;       // the step the shown layers were last synced to
  int scrolled_to_step_ = -1;    // the step whose block was last scrolled into view
  float label_pixels_ = 0;
};

}  // namespace attnviz::views
