#pragma once
// Gradient flow inside the Transformer (gradlab::gradient_flow_variants): ‖∂L/∂x‖ at the input of
// every sublayer and ‖∂L/∂W‖ of every parameter group as grouped bars on a log scale, one bar per
// variant (residual on/off × post-norm/pre-norm), all built from the session's config and example
// on the session's current weights — or, with 6 or 12 layers each side, where those weights do
// not fit, on fresh weights from the session's seed.
// Clicking a sublayer's bar moves the step cursor to that sublayer's backward step in the
// session's trace (a GoToStep command), so the step list, navigator and chain rule follow.

#include "model/gradlab/transformer_flow.h"
#include "views/app_state.h"
#include "views/commands.h"
#include "views/selection.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnviz::views {

struct GradLabTransformerPanel {
  int layers = 0;  // encoder and decoder layers: 0 for the session's own, or 6 or 12

  void draw(const AppState& app, Selection& selection, Commands& commands);

  // The four variants for the current session and `layers` (recomputed only when either changed).
  const std::vector<gradlab::FlowVariant>& variants(const AppState& app);
  int recomputations() const { return recomputations_; }
  // Which weights the variants ran on, in words (after variants()).
  const std::string& weights_words() const { return weights_words_; }

 private:
  std::vector<gradlab::FlowVariant> variants_;
  std::uint64_t computed_generation_ = 0;
  const void* computed_session_ = nullptr;
  int computed_layers_ = -1;
  int recomputations_ = 0;
  std::string message_;
  bool own_weights_ = false;   // the variants run on the session's weights (same layer count)
  std::string weights_words_;  // which weights, in words
  // Per sublayer (forward order): its short label, full label, the four norms (variant-major),
  // and the session trace's backward step it links to (−1: not in the session's model).
  std::vector<std::string> sub_short_, sub_title_;
  std::vector<std::vector<double>> sub_norms_;
  std::vector<int> sub_step_;
  // Per parameter group (union over the variants, in parameter order): labels and norms (0: absent).
  std::vector<std::string> group_short_, group_title_;
  std::vector<std::vector<double>> group_norms_;
};

// The session trace's backward step for a sublayer of a flow computed on a (possibly different)
// config: the flow's own step when the session's trace has the same sublayer there, otherwise
// the backward twin of the first forward step of that stack, layer and sublayer; −1 when the
// session's model has no such sublayer.
int session_backward_step(const Trace& trace, const gradlab::SublayerGradient& sublayer);

}  // namespace attnviz::views
