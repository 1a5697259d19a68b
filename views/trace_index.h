#pragma once
// What the views need to know about a trace beyond its steps, computed once per run:
//   blocks — the boxes of the paper's figure (stack, layer, sublayer), with their first forward
//            and backward steps and the norm of the gradient that flows out of each;
//   rows   — the step list: group headers (phase › stack › layer › sublayer › head) and steps.

#include "model/trace.h"

#include <string>
#include <vector>

namespace attnviz::views {

struct Block {
  Where where;             // head = −1
  int first_forward = -1;  // step index
  int first_backward = -1;
  int last_backward = -1;
  double grad_norm_out = 0;  // ‖∂L/∂(what enters the block)‖, Frobenius, from its backward steps
};

struct StepRow {
  int step = -1;     // −1: a group header
  int depth = 0;     // indentation level of a header
  std::string text;  // header text, or the step's short label
};

class TraceIndex {
 public:
  TraceIndex() = default;
  explicit TraceIndex(const Trace& trace);

  const std::vector<Block>& blocks() const { return blocks_; }
  int block_of_step(int step) const { return block_of_step_[static_cast<std::size_t>(step)]; }
  int find_block(Stack stack, int layer, Sublayer sublayer) const;  // −1 if absent

  const std::vector<StepRow>& rows() const { return rows_; }
  int row_of_step(int step) const { return row_of_step_[static_cast<std::size_t>(step)]; }

  // Shift+← / Shift+→: the first step of the previous (or the current, when not already on it)
  // or next group of steps with the same phase, stack, layer and sublayer.
  int next_sublayer(int step) const;
  int previous_sublayer(int step) const;
  int step_count() const { return static_cast<int>(block_of_step_.size()); }

 private:
  void index_blocks(const Trace& trace);
  void measure_gradients_out(const Trace& trace);
  void list_rows(const Trace& trace);

  std::vector<Block> blocks_;
  std::vector<int> block_of_step_;
  std::vector<int> group_start_;  // per step: the first step of its sublayer group
  std::vector<StepRow> rows_;
  std::vector<int> row_of_step_;
};

// "Multi-head attention", "Add & Norm", …: the block's name as the paper's figure prints it.
std::string block_title(Stack stack, Sublayer sublayer);
// "encoder › layer 1 › Add & Norm › head 2"
std::string where_in_words(const Where& where);
// The part of a step label after its block: "head2.softmax", "q_proj".
std::string short_label(const Step& step);

}  // namespace attnviz::views
