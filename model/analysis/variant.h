#pragma once
// The same weights under different switches, for experiments that re-run one model with a
// setting flipped (positional encoding off, attention scaling off).

#include "model/config.h"
#include "model/transformer.h"

namespace attnviz::analysis {

// A new model with `config` and a copy of `model`'s parameter values.  The config may differ
// only in settings that keep every parameter's name and shape (positional, scale_embedding,
// scale_attention, residual, ln_eps, heads): otherwise InputError names the first parameter
// that differs.  Gradients start at zero.
Transformer with_config(const Transformer& model, const Config& config);

}  // namespace attnviz::analysis
