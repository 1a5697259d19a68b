#pragma once
// Attention, head by head.
//   model view — every layer × head of one kind of attention as a small heatmap of its weights
//                A (T_q,T_k); click one to open it.
//   head view  — queries on rows, keys on columns: the raw scores S = Q_h K_hᵀ, S/√d_k, the
//                masked scores (−∞ where M = 0) or A = softmax(masked); in the backward phase
//                ∂L/∂ of the shown matrix beside it; one cell's q_i, k_j, q_i·k_j, ÷√d_k, mask
//                and weight; the lines view (query column → key column, opacity = A[i,j], one
//                colour per head); the scaling experiment (1/√d_k on against off).

#include "model/analysis/attention.h"
#include "views/app_state.h"
#include "views/commands.h"
#include "views/selection.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace attnviz::views {

// The side of one head's thumbnail in the heads grid, from the room across (`by_w`) and down
// (`by_h`): tall enough for a token name per row (`tokens` lines) where the width allows, the
// panel scrolling then; within 3 to 12 font sizes.
float thumbnail_side(float by_w, float by_h, std::size_t tokens, float line, float font);

// Combo boxes for the attention kind, the layer and the head.  Returns true when one changed.
bool choose_head(const Config& config, analysis::HeadRef& head);

struct AttentionPanel {
  enum class Shown : std::uint8_t { raw, scaled, masked, weights };

  // The head view of `head`.
  void draw(const AppState& app, Selection& selection, Commands& commands, const analysis::HeadRef& head);
  // The model view of head.attention; returns true when a head was clicked (`head` is then it).
  bool draw_grid(const AppState& app, Selection& selection, analysis::HeadRef& head);

  Shown shown = Shown::weights;
  bool show_gradient = true;
  bool lines_all_heads = false;

 private:
  void lines_view(const AppState& app, Selection& selection, const analysis::HeadRef& head);
  void scaling_view(const AppState& app, const analysis::HeadRef& head);

  int lines_focus_column_ = -1;  // 0 queries, 1 keys: the column the mouse was over
  std::optional<analysis::ScalingComparison> scaling_;       // on the session's weights
  std::optional<analysis::ScalingComparison> scaling_init_;  // on the seed's initial weights, d_k = 64
  std::uint64_t scaling_generation_ = 0;
  std::string scaling_error_;
};

}  // namespace attnviz::views
