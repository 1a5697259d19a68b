#pragma once
// The forward steps of a trace as a data-flow graph, for a trace that is not a whole Transformer:
// worked example A is X → Q, K, V → QKᵀ → ÷√d_k → softmax → ·V, summed to L.  One node per
// forward step, titled as the notes write its output ("Q = X W_Q", "QKᵀ / √3"), and one per
// activation a step reads that no step made (the input X); an edge from the node that made a
// tensor to each step that reads it (the weights are in the titles, not nodes).  A node's level
// is one above the highest node it reads; its column is under or over the nodes it is joined to,
// so that a chain stays straight.  The architecture panel draws it bottom to top, as the paper
// draws its figure.

#include "model/trace.h"
#include "views/app_state.h"
#include "views/commands.h"
#include "views/selection.h"

#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

namespace attnviz::views {

struct FlowNode {
  int step = -1;      // the forward step; −1 for an input
  int opens = -1;     // the forward step a click opens: its own, or an input's first reader
  std::string title;  // "Q = X W_Q"; an input: its name, "X"
  int level = 0;      // 0 at the bottom
  float column = 0;   // 0 … columns − 1
};

struct FlowEdge {
  int from = 0, to = 0;  // node indices: the node that made a tensor, a node that reads it
};

struct StepGraph {
  std::vector<FlowNode> nodes;  // inputs first, then the forward steps in order
  std::vector<FlowEdge> edges;
  int levels = 0;
  int columns = 0;  // the most nodes on one level
};

StepGraph step_graph(const Trace& trace);

// A node as drawn last frame (display pixels), lit when it holds the cursor.
struct DrawnNode {
  int node = 0;
  ImVec2 min, max;
  bool lit = false;
};

// The graph in the current window, scaled to fit it (figure_scale): the cursor's step glows (in
// the backward phase, the step it is the twin of), the mouse's step is outlined, the arrows turn
// around in the backward phase; a click opens the node's step in the current phase (an input:
// the step that first reads it).
class StepGraphView {
 public:
  void draw(const AppState& app, const Selection& selection, Commands& commands);
  const StepGraph& graph() const { return graph_; }
  const std::vector<DrawnNode>& drawn() const { return drawn_; }
  float label_pixels() const { return label_pixels_; }  // the titles' height, last frame

 private:
  StepGraph graph_;
  std::uint64_t generation_ = 0;  // of the trace graph_ was built from
  int scrolled_to_step_ = -1;     // the step whose node was last scrolled into view
  float label_pixels_ = 0;
  std::vector<DrawnNode> drawn_;
};

}  // namespace attnviz::views
