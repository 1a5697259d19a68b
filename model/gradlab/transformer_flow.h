#pragma once
// Gradient flow inside the Transformer: ‖∂L/∂x‖ at the input of every sublayer and ‖∂L/∂W‖ of
// every parameter group, for four variants built from the same weights — residual on/off ×
// post-norm/pre-norm.  Without the residual `x +`, the gradient reaching the early sublayers
// has to pass through every sublayer's Jacobian and shrinks (or grows) layer by layer.

#include "model/config.h"
#include "model/parameters.h"
#include "model/trace.h"
#include "model/transformer.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace attnviz::gradlab {

struct SublayerGradient {
  std::string label;           // "encoder.0.self_attn"
  Where where;                 // stack, layer, sublayer block (self_attn, cross_attn or ffn)
  int forward_step = -1;       // the sublayer's first forward step
  int backward_step = -1;      // that step's backward twin (where ∂L/∂x is completed)
  Scalar input_grad_norm = 0;  // ‖∂L/∂x‖_F, x:(T, d_model) the stream entering the sublayer
};

struct ParameterGroupGradient {
  std::string group;     // "encoder.layers.0.self_attn", "src_embed", "generator", …
  Scalar grad_norm = 0;  // ‖∂L/∂W‖_F over every tensor of the group
};

struct GradientFlow {
  Scalar loss = 0;
  std::vector<SublayerGradient> sublayers;     // in forward order
  std::vector<ParameterGroupGradient> groups;  // in parameter order
};

// Reads the flow from a trace after run_backward.  `config` says where the sublayer input is:
// post-norm feeds x to the sublayer itself, pre-norm to the LayerNorm in front of it.
GradientFlow gradient_flow(const Trace& trace, const Config& config);

// "encoder.layers.0.self_attn.q_proj.weight" → "encoder.layers.0.self_attn";
// "src_embed.weight" → "src_embed"; "encoder.norm.bias" → "encoder.norm".
std::string parameter_group(const std::string& parameter_name);

struct FlowVariant {
  bool residual = true;
  NormPlacement norm = NormPlacement::post;
  GradientFlow flow;
};

// The four variants (residual, post), (residual, pre), (plain, post), (plain, pre) of `config`
// on one example.  Each starts from `seed`; only weight matrices draw random numbers, so every
// parameter the variants share has the same value, and pre-norm's closing LayerNorms start as
// the identity (γ = 1, β = 0).  With `weights` (a trained model of the same sizes), every
// parameter of that name is then copied in, so all four run on the trained weights.
// One variant's model and trace exist at a time.  `progress(done, 4)` is called before each
// variant; when it returns false the run stops and the result is empty.
using FlowProgress = std::function<bool(int done, int total)>;
std::vector<FlowVariant> gradient_flow_variants(const Config& config, const Example& example, std::uint64_t seed,
                                                const Parameters* weights = nullptr, const FlowProgress& progress = {});

}  // namespace attnviz::gradlab
