#pragma once
// Architecture navigator: the paper's Transformer figure drawn live.  Encoder on the left,
// decoder on the right, data flowing up.  The block of the current step glows; clicking a
// block jumps to its first step in the current phase.  In the backward phase the arrows turn
// around and every block already passed shows ‖∂L/∂(its input)‖, the gradient flowing out of it.

#include "views/app_state.h"
#include "views/commands.h"
#include "views/selection.h"

namespace attnviz::views {

struct NavigatorPanel {
  void draw(const AppState& app, Selection& selection, Commands& commands);

 private:
  int shown_layer_[2] = {0, 0};  // encoder, decoder: which layer the N× frame shows
  int followed_step_ = -1;       // the step the shown layers were last synced to
};

}  // namespace attnviz::views
