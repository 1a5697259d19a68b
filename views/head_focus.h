#pragma once
// The attention head the linked panels look at.  It follows the step cursor: on a step inside a
// head (encoder.0.self_attn.head2.*) the panels show that head; choosing a head in a panel moves
// the cursor to its softmax step, so the step list, the navigator and the step detail follow.

#include "model/analysis/attention.h"
#include "views/app_state.h"
#include "views/commands.h"
#include "views/selection.h"

#include <optional>
#include <string>
#include <vector>

namespace attnviz::views {

// The head a Where points into, when it is inside one (head ≥ 0 of an attention sublayer).
std::optional<analysis::HeadRef> head_of(const Where& where);

// Layer and head clamped to the model; the attention kind kept.
analysis::HeadRef clamp_head(const Config& config, analysis::HeadRef head);

// The head to show once the cursor is at `where`: the head it is inside; on a step of an
// attention block outside its heads (q_proj, concat), `current` moved to that block; elsewhere
// `current`.  Clamped to the model.
analysis::HeadRef followed_head(const Config& config, const Where& where, analysis::HeadRef current);

// Combo boxes for the attention kind, the layer and the head.  Returns true when one changed.
bool choose_head(const Config& config, analysis::HeadRef& head);

// On a recurrent model (no multi-head attention to show): a note saying where its attention is
// (the step detail, the Why attention? tab), and true; false otherwise, drawing nothing.
bool recurrent_model_note(const AppState& app);

// Above a panel that shows selection.head: the head's combo boxes (a choice moves the cursor to
// the head's softmax step) and "go to its softmax step" when the cursor is elsewhere.
void head_bar(const AppState& app, Selection& selection, Commands& commands);

// The step of the head whose output has `role` (attention_weights: its softmax), in `phase`, or −1.
int head_step(const Trace& trace, const analysis::HeadRef& head, Role role, Phase phase);

// The forward step whose first output is `id`, or −1.
int producer_step(const Trace& trace, TensorId id);

// Query and key words of an attention kind: (source, source), (target in, target in) or
// (target in, source), with the sides the selection uses for them.
struct HeadAxes {
  const std::vector<std::string>* queries;
  const std::vector<std::string>* keys;
  TokenSide query_side, key_side;
};
HeadAxes head_axes(const AppState& app, analysis::AttentionKind kind);

// "encoder self-attention · layer 0 · head 2"
std::string head_title(const analysis::HeadRef& head);

// One colour per head (up to 8, then repeating), readable on both themes.
ImU32 head_colour(int head, int alpha = 255);

}  // namespace attnviz::views
