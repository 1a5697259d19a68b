#pragma once
// Architecture navigator: the paper's Transformer figure drawn live.  Encoder on the left,
// decoder on the right, data flowing up.  The block of the current step glows; clicking a
// block jumps to its first step in the current phase.  In the backward phase the arrows turn
// around and every block already passed shows ‖∂L/∂(its input)‖, the gradient flowing out of it.
// A lesson that is one attention head (worked example A) has no encoder or decoder: the panel
// draws the graph of its trace's steps instead (step_graph.h).  Either is a figure (figure.h):
// a right-click offers Save picture….

#include "views/panel.h"
#include "views/step_graph.h"

namespace attnviz::views {

// How much a figure `needed` big at the text size is scaled to fit a panel with `avail` room: to
// its height while the labels keep NavigatorPanel::min_label_scale of the text (the panel then
// scrolls down, the current block kept in view), at most 1.5; to its width while the labels keep
// that much or, with text larger than 100 % (`text_scale` > 1), the size of the 100 % text (the
// panel then scrolls across).
float figure_scale(ImVec2 avail, ImVec2 needed, float text_scale);

// One block of a figure from p0 to p1: filled (lit when it holds the cursor), outlined (thicker
// when current, with the hover colour around it when the mouse points at one of its steps), its
// title centred.
void figure_box(ImDrawList* draw, ImVec2 p0, ImVec2 p1, const char* title, bool current, bool pointed,
                const Palette& pal);

struct NavigatorPanel : Panel {
  static constexpr float min_label_scale = 0.6f;  // of the text size (see figure_scale)

  void draw(const AppState& app, Selection& selection, Commands& commands) override;
  float label_pixels() const { return label_pixels_; }  // the block titles' height, last frame
  const StepGraphView& graph() const { return graph_; }

 private:
  void follow_cursor(const Trace& trace, const Config& config, int step);
  void draw_figure(const AppState& app, Selection& selection, Commands& commands);

  int shown_layer_[2] = {0, 0};  // encoder, decoder: which layer the N× frame shows
  int followed_step_ = -1;       // the step the shown layers were last synced to
  int scrolled_to_step_ = -1;    // the step whose block was last scrolled into view
  float label_pixels_ = 0;
  StepGraphView graph_;
};

}  // namespace attnviz::views
