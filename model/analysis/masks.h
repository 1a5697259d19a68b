#pragma once
// The masks of one run as matrices for display, each with the attention it applies to.
// 1 = the query (row) may attend to the key (column); 0 = masked (score −∞, weight 0).
// They are the tensors the forward pass recorded (names:: in transformer.h), so what is shown
// is what the model used.

#include "model/trace.h"

#include <string>
#include <vector>

namespace attnviz::analysis {

struct MaskMatrix {
  std::string name;        // the recorded tensor, e.g. "masks.look_ahead"
  std::string title;       // "Look-ahead mask" (N_: the views translate it)
  std::string applies_to;  // "masked decoder self-attention"
  Mat value;               // (T_q, T_k)
};

struct Masks {
  MaskMatrix src_padding;   // (T_src, T_src): key j is not <pad>             encoder self-attention
  MaskMatrix tgt_padding;   // (T_tgt, T_tgt): key j is not <pad>             (part of the decoder's)
  MaskMatrix look_ahead;    // (T_tgt, T_tgt): j ≤ i                          (part of the decoder's)
  MaskMatrix decoder_self;  // tgt_padding ∧ look_ahead                       masked decoder self-attention
  MaskMatrix cross;         // (T_tgt, T_src): source key j is not <pad>      encoder–decoder attention
  std::vector<const MaskMatrix*> all() const {
    return {&src_padding, &tgt_padding, &look_ahead, &decoder_self, &cross};
  }
};

// Throws InputError when the trace has no forward run.
Masks masks_of(const Trace& trace);

}  // namespace attnviz::analysis
