#pragma once
// The scalar chain of LESSONS.md example C as two computation graphs, plain beside residual.
// Each node shows its value and ∂L/∂node, each edge its local derivative.  The backward pass can
// be replayed one node at a time; the selected node's gradient is written out as the chain rule's
// product of local derivatives, one product per path (the weighted skip gives w1 two paths).
// Every number comes from gradlab::run_scalar_chain; with example C's inputs the notes' rounded
// figures are shown beside the exact ones.

#include "model/gradlab/scalar_chain.h"
#include "views/panel.h"

#include <string>

namespace attnviz::views {

struct GradLabScalarPanel : Panel {
  // The inputs being edited; a refused edit (see `message`) leaves the last good ones.
  gradlab::ScalarChainInput input;
  gradlab::Skip residual_kind = gradlab::Skip::weighted;
  int revealed = -1;            // backward nodes whose gradient is shown, L first; −1: all
  std::string selected = "w1";  // node whose chain rule is written out
  std::string message;          // why the last edit was refused; empty if none

  void draw(const AppState& app, Selection& selection, Commands& commands) override;

  // The graphs of the current inputs (recomputed when they changed).
  const gradlab::ScalarComparison& result();
  // Example C's inputs: n = 3, x = 0.5, w = 0.1, w_r = 0.1, y_true = 1, sigmoid, weighted skip.
  bool is_example_c() const;
  void reset_to_example_c();

 private:
  void controls(Commands& commands);
  void stepper();
  void chain_rules(const Palette& pal);
  void notes_table(const Palette& pal);
  void below_graphs(const Palette& pal);

  gradlab::ScalarChainInput computed_input_;
  gradlab::Skip computed_kind_ = gradlab::Skip::none;
  gradlab::ScalarComparison result_;
  bool have_result_ = false;
  int followed_ = -1;  // the `revealed` the graphs last scrolled to
};

// "−0.0000760": `digits` significant digits in fixed notation down to 1e-9 (then "%g"), with a
// true minus sign.
std::string fixed_significant(double value, int digits);

}  // namespace attnviz::views
