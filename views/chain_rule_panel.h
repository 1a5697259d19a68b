#pragma once
// Chain rule: for the clicked element of a gradient passed down in a backward step,
//   ∂L/∂X[r,c] = Σₖ (upstream)ₖ × (local)ₖ
// with every term's numbers, their sum, and the value the model stored; for an output element
// of a forward step, how it was computed (a score: Σₖ Q[i,k]·K[j,k], then ÷ √d_k).

#include "views/panel.h"

namespace attnviz::views {

struct ChainRulePanel : Panel {
  void draw(const AppState& app, Selection& selection, Commands& commands) override;
};

}  // namespace attnviz::views
