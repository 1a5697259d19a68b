#pragma once
// Step detail: the operation's name, one plain sentence on what it does and why, its formula,
// and each input and output as a labelled heatmap.  In a backward step: the upstream gradient,
// the forward values it uses, and the gradients it passes down (click one for the chain rule).

#include "views/norm_compare.h"
#include "views/panel.h"
#include "views/worked_example.h"

#include <optional>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h>

namespace attnviz::views {

class StepDetailPanel : public Panel {
 public:
  void draw(const AppState& app, Selection& selection, Commands& commands) override;
  // Where the first heatmap was drawn last (screen pixels, before clipping), and the height the
  // window needs from its top to show the header and that heatmap whole (0: not drawn yet).
  const ImRect& first_matrix() const { return first_matrix_; }
  float needed_height() const { return needed_h_; }
  // LayerNorm against BatchNorm, drawn under a forward LayerNorm step's matrices.
  const NormCompareView& norm_compare() const { return norm_compare_; }
  NormCompareView& norm_compare() { return norm_compare_; }
  // Worked example A's grids as the last frame drew them (empty for any other lesson).
  const std::vector<DrawnGrid>& example_grids() const { return example_grids_; }

 private:
  std::optional<ImRect> matrix_sections(const AppState& app, Selection& selection, int index);

  ImRect first_matrix_;
  float needed_h_ = 0;
  std::vector<DrawnGrid> example_grids_;
  NormCompareView norm_compare_;
};

}  // namespace attnviz::views
