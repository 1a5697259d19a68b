#pragma once
// The one Selection every panel reads and writes: the step cursor, the block of interest, the
// attention head the centre tabs show, the chosen token, feature and tensor element.  Hover has the same shape, is cleared at the start of
// each frame and set again by whichever panel the mouse is over.

#include "model/analysis/attention.h"
#include "model/trace.h"

#include <cstdint>

namespace attnviz::views {

enum class TokenSide : std::uint8_t { none, source, target };

struct TokenRef {
  TokenSide side = TokenSide::none;
  int index = -1;  // position in the source or the decoder-input sentence
  bool valid() const { return side != TokenSide::none && index >= 0; }
  bool operator==(const TokenRef&) const = default;
};

// Which matrix of a step an element belongs to.
//   forward step:  input i (Step::inputs[i].value), output i (Step::outputs[i].value)
//   backward step: input i (saved forward value), upstream i (∂L/∂outputs[i]),
//                  downstream i (this step's ∂L/∂inputs[i])
enum class Slot : std::uint8_t { input, output, upstream, downstream };

struct ElementRef {
  int step = -1;
  Slot slot = Slot::input;
  int index = 0;  // into Step::inputs or Step::outputs
  int row = -1, col = -1;
  bool valid() const { return step >= 0 && row >= 0 && col >= 0; }
  bool operator==(const ElementRef&) const = default;
};

// What the mouse is over this frame; cleared by Ui::begin_frame.
struct Hover {
  TokenRef token;
  int feature = -1;
  ElementRef element;
  int step = -1;  // a step pointed at (an attention head), lit in the step list and navigator
  void clear() { *this = Hover{}; }
  // The step the mouse points at: an explicit one, else that of the hovered element; −1 if none.
  int pointed_step() const { return step >= 0 ? step : element.step; }
};

struct Selection {
  int step = 0;            // index into Trace::steps()
  Where where;             // stack, layer, sublayer, head of interest: follows the step cursor
  analysis::HeadRef head;  // the head Heads, Attention and Masking show: follows the cursor too
  TokenRef token;          // chosen query/key token: its row or column lights up everywhere
  int feature = -1;        // chosen feature dimension (a column of features-wide tensors)
  ElementRef element;      // the clicked tensor element, explained by the chain-rule panel
  Hover hover;
};

}  // namespace attnviz::views
