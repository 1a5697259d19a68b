#pragma once
// LayerNorm or BatchNorm? Under a forward LayerNorm step's matrices: the step's input for a batch
// of the lesson's sentences normalised both ways side by side, then what goes wrong for BatchNorm
// with one sentence, with padding and at inference, each in this model's numbers
// (model/analysis/norm_compare.h).

#include "model/analysis/norm_compare.h"
#include "views/app_state.h"
#include "views/selection.h"

#include <cstdint>
#include <optional>
#include <string>

namespace attnviz::views {

class NormCompareView {
 public:
  // Draws the comparison for forward LayerNorm step `step`, computed again when the run or the
  // step changed (small models at once, larger ones on a button).
  void draw(const AppState& app, Selection& selection, int step);
  // Whether step `step` gets the comparison: a forward LayerNorm of the model.
  static bool applies(const AppState& app, int step);
  // A button that scrolls down to the comparison (drawn above the step's matrices).
  void jump_button();
  // Scrolls to the comparison when it is next drawn.
  void scroll_to() { scroll_request_ = true; }
  const std::optional<analysis::NormComparison>& comparison() const { return result_; }
  const std::string& message() const { return error_; }  // why there is no comparison

 private:
  void compute(const AppState& app, const std::string& label);
  // Whether the comparison for `step` is there to draw: computes it when stale (larger models on a
  // button), or shows why there is none.
  bool ready(const AppState& app, const Step& step);

  std::optional<analysis::NormComparison> result_;
  std::string error_;
  std::string label_;                 // of the step computed for
  std::uint64_t generation_ = ~0ull;  // of the run computed on
  bool scroll_request_ = false;
  std::uint64_t computed_ = 0;  // +1 with every computation: part of the texture keys
};

}  // namespace attnviz::views
