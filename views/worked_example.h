#pragma once
// Worked example A above the step detail of its lesson: QKᵀ, QKᵀ/√d_k, softmax, O and the loss,
// then X, W_Q, W_K, W_V, Q, K and V as the notes write them, each a small grid of numbers with
// four decimals (whole numbers as they are).  In a backward step the same grids hold ∂L/∂ of
// each matrix.  The current step's matrices are lit; a click on a value opens the step that
// computed it (backward: that passed its gradient down) with the value selected.

#include "views/app_state.h"
#include "views/commands.h"
#include "views/selection.h"

#include <imgui.h>

#include <string>
#include <vector>

namespace attnviz::views {

// One grid: a trace tensor, shown as recorded or transposed (the weights: the trace holds Wᵀ).
struct ExampleMatrix {
  std::string title;  // "W_Q", "Q = X W_Q", "softmax(QKᵀ/√3)"
  TensorId tensor;
  bool transposed = false;
  int producer = -1;     // the forward step that made it; −1 for X and the weights
  ElementRef forward;    // where a click on it goes in the forward phase (row, col unset)
  ElementRef backward;   // … and in the backward phase
  bool new_row = false;  // starts a row of its own (X: the projections after the attention)
};

// A forward step's output as the notes write it: "Q = X W_Q", "QKᵀ", "QKᵀ / √3", "A = softmax",
// "O = A V", "L = Σ O"; for another op, its output tensor's name.
std::string output_title(const Trace& trace, const Step& step);

// The grids, found from the trace's forward steps: QKᵀ, QKᵀ/√d_k, A, O and L first, then X, the
// weights and Q, K, V.
std::vector<ExampleMatrix> example_matrices(const Trace& trace);

// What one grid put on screen: its title, its numbers row by row as written, where it was drawn
// and the part of the window that was visible (display pixels).
struct DrawnGrid {
  std::string title;
  std::vector<std::vector<std::string>> rows;
  ImVec2 min, max;            // the grid and its title
  ImVec2 clip_min, clip_max;  // the visible part of the window it is in
  bool visible() const {
    return min.x >= clip_min.x && min.y >= clip_min.y && max.x <= clip_max.x && max.y <= clip_max.y;
  }
};

std::vector<DrawnGrid> draw_worked_example(const AppState& app, const Selection& selection, Commands& commands);

}  // namespace attnviz::views
