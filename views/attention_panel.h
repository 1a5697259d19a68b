#pragma once
// Attention: one head (selection.head), queries on rows, keys on columns: the raw scores
// S = Q_h K_hᵀ, S/√d_k, the masked scores (−∞ where M = 0) or A = softmax(masked); in the
// backward phase ∂L/∂ of the shown matrix beside it; one cell's q_i, k_j, q_i·k_j, ÷√d_k, mask
// and weight; the lines view (query column → key column, opacity = A[i,j], one colour per head);
// the scaling experiment (1/√d_k on against off).

#include "model/analysis/attention.h"
#include "views/head_focus.h"
#include "views/panel.h"

#include <cstdint>
#include <optional>
#include <string>

namespace attnviz::views {

struct AttentionPanel : Panel {
  enum class Shown : std::uint8_t { raw, scaled, masked, weights };

  void draw(const AppState& app, Selection& selection, Commands& commands) override;

  Shown shown = Shown::weights;
  bool show_gradient = true;
  bool lines_all_heads = false;

 private:
  struct Drawn {
    int producer;   // the forward step of the shown matrix
    bool gradient;  // its gradient drawn too
  };
  void choices(const Config& config, const analysis::HeadTensors& t, const Mat& weights, bool backward,
               const Palette& pal);
  Drawn matrices(const AppState& app, Selection& selection, const analysis::HeadTensors& t, const HeadAxes& axes,
                 bool backward, float full);
  void lines_section(const AppState& app, Selection& selection, const Palette& pal);
  void lines_view(const AppState& app, Selection& selection, const analysis::HeadRef& head);
  void scaling_view(const AppState& app, const analysis::HeadRef& head);

  int lines_focus_column_ = -1;                              // 0 queries, 1 keys: the column the mouse was over
  std::optional<analysis::ScalingComparison> scaling_;       // on the session's weights
  std::optional<analysis::ScalingComparison> scaling_init_;  // on the seed's initial weights, d_k = 64
  std::uint64_t scaling_generation_ = 0;
  std::string scaling_error_;
};

}  // namespace attnviz::views
