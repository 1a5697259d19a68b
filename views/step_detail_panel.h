#pragma once
// Step detail: the operation's name, one plain sentence on what it does and why, its formula,
// and each input and output as a labelled heatmap.  In a backward step: the upstream gradient,
// the forward values it uses, and the gradients it passes down (click one for the chain rule).

#include "views/app_state.h"
#include "views/commands.h"
#include "views/selection.h"
#include "views/worked_example.h"

#include <vector>

namespace attnviz::views {

struct StepDetailPanel {
  void draw(const AppState& app, Selection& selection, Commands& commands);
  // Worked example A's grids as the last frame drew them (empty for any other lesson).
  const std::vector<DrawnGrid>& example_grids() const { return example_grids_; }

 private:
  std::vector<DrawnGrid> example_grids_;
};

}  // namespace attnviz::views
