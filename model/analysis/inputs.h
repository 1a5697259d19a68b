#pragma once
// What each stack takes in: "embedding + positional encoding = input", and saliency, how much
// the loss depends on each input token: ‖∂L/∂e_t‖₂, the norm of the gradient reaching row t of
// the embedding lookup's output (e_t = E[id_t], before × √d_model and + PE).

#include "model/trace.h"

namespace attnviz::analysis {

// The embedding lookup's output of a stack (encoder: source tokens, decoder: target input).
// Throws InputError when the trace has none.
TensorId embedding_output(const Trace& trace, Stack stack);

struct InputParts {
  Mat embedding;   // E[id_t]·√d_model (T, d), or E[id_t] when scale_embedding is off
  Mat positional;  // PE (T, d); zero when positional is none
  Mat input;       // embedding + positional: what the stack's first layer receives
};
InputParts input_parts(const Trace& trace, Stack stack);

// s[t] = ‖∂L/∂e_t‖₂ = ‖∂L/∂E_lookup[t,:]‖₂      → (T, 1)
// Throws InputError when the trace has no backward yet.
Mat saliency(const Trace& trace, Stack stack);

}  // namespace attnviz::analysis
