#pragma once
// LESSONS.md example D, measured: a stack of square layers run plain and residual from the same
// weights (gradlab::compare_depth_networks).  ‖∂L/∂h_l‖ for every layer on a log-scale plot,
// the first-layer ratio, and for a selected layer l the product of the local gradient norms
//   ‖∂L/∂h_l‖ ≤ ‖∂L/∂h_L‖ · ‖J_L‖ · ‖J_{L−1}‖ ⋯ ‖J_{l+1}‖,   J_k = ∂h_k/∂h_{k−1}
// written out factor by factor for both networks.

#include "model/gradlab/depth_network.h"
#include "views/panel.h"

#include <string>
#include <vector>

namespace attnviz::views {

struct GradLabDepthPanel : Panel {
  gradlab::DepthConfig config;  // being edited; a refused edit leaves the last good one
  int layer = 1;                // selected layer l, 0…depth
  std::string message;

  void draw(const AppState& app, Selection& selection, Commands& commands) override;

  // The comparison for the current config (recomputed only when the config changed).
  const gradlab::DepthComparison& result();
  int recomputations() const { return recomputations_; }

 private:
  void curves(const Palette& pal, float height);

  gradlab::DepthComparison result_;
  bool have_result_ = false;
  int recomputations_ = 0;
  std::vector<double> plain_curve_, residual_curve_;  // ‖∂L/∂h_l‖, l = 0…L
};

}  // namespace attnviz::views
