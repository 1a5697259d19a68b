#include "model/analysis/masks.h"

#include "model/error.h"
#include "model/transformer.h"
#include "model/translatable.h"

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
      read(trace, names::src_padding_mask, N_("Source padding mask"), N_("encoder self-attention")),
      read(trace, names::tgt_padding_mask, N_("Target padding mask"),
           N_("masked decoder self-attention (with look-ahead)")),
      read(trace, names::look_ahead_mask, N_("Look-ahead mask"),
           N_("masked decoder self-attention (with target padding)")),
      read(trace, names::decoder_self_mask, N_("Target padding ∧ look-ahead"), N_("masked decoder self-attention")),
      read(trace, names::cross_mask, N_("Source padding mask (cross)"), N_("encoder–decoder attention")),
  };
}

}  // namespace attnviz::analysis
