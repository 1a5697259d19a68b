#pragma once
// One attention head with fixed matrices, recorded into a Trace step by step: worked example A
// of the notes (self-attention by hand).
//
//   Q = X W_Q,  K = X W_K,  V = X W_V          X:(T,d_in) W_Q,W_K:(d_in,d_k) W_V:(d_in,d_v)
//   S = Q Kᵀ,  A = softmax(S / √d_k),  O = A V  S,A:(T,T) O:(T,d_v)
//   L = Σᵢⱼ O[i,j]                              L:(1,1)
// The example has no target, so its loss counts every output value once: ∂L/∂O = 1 everywhere,
// and each gradient below it can be followed on paper.
//
// The notes write x W; the engine's linear op is x Wᵀ + b in PyTorch's layout, so the
// parameters hold W_Qᵀ, W_Kᵀ, W_Vᵀ (named self_attn.{q,k,v}_proj.weight) and zero biases.

#include "model/lesson.h"
#include "model/parameters.h"
#include "model/trace.h"

namespace attnviz {

// The three projections as parameters (weights transposed, biases zero).
Parameters fixed_attention_parameters(const FixedAttention& attention);

// Records the forward steps, the loss and the backward steps into `trace` over `params` (from
// fixed_attention_parameters; keep it alive while the trace is used).  X and the weights take
// gradients (X's sums its shares through q, k and v).  Tensor names: "encoder.0.self_attn.x",
// ".q_proj", ".k_proj", ".v_proj", ".head0.scores", ".head0.scale", ".head0.softmax",
// ".head0.weighted_sum", "output.loss".
void run_fixed_attention(const FixedAttention& attention, Parameters& params, Trace& trace);

}  // namespace attnviz
