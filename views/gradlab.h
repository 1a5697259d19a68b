#pragma once
// The gradient lab: why residual connections help, in three pages — the scalar chain of the
// lesson's example C, the depth experiment of example D, and gradient flow inside the
// Transformer.  One window with a tab per page, reachable from View ▸ Gradient lab.

#include "views/gradlab_depth_panel.h"
#include "views/gradlab_scalar_panel.h"
#include "views/gradlab_transformer_panel.h"

namespace attnviz::views {

struct GradLab {
  GradLabScalarPanel scalar;
  GradLabDepthPanel depth;
  GradLabTransformerPanel transformer;

  // The three pages as tabs in the current window.
  void draw_tabs(const AppState& app, Selection& selection, Commands& commands);
};

}  // namespace attnviz::views
