#include "model/analysis/masks.h"

#include "model/error.h"
#include "model/transformer.h"

namespace attnviz::analysis {

namespace {
MaskMatrix read(const Trace& trace, const char* name, const char* title, const char* applies_to) {
  const std::optional<TensorId> id = trace.find(name);
  if (!id) throw InputError(std::string("trace: no tensor named ") + name + "; run the model forward first");
  return {name, title, applies_to, trace.value(*id)};
}
}  // namespace

Masks masks_of(const Trace& trace) {
  return {
      read(trace, names::src_padding_mask, "Source padding mask", "encoder self-attention"),
      read(trace, names::tgt_padding_mask, "Target padding mask", "masked decoder self-attention (with look-ahead)"),
      read(trace, names::look_ahead_mask, "Look-ahead mask", "masked decoder self-attention (with target padding)"),
      read(trace, names::decoder_self_mask, "Target padding ∧ look-ahead", "masked decoder self-attention"),
      read(trace, names::cross_mask, "Source padding mask (cross)", "encoder–decoder attention"),
  };
}

}  // namespace attnviz::analysis
