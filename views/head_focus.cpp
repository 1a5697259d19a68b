#include "views/head_focus.h"

#include <algorithm>

namespace attnviz::views {

using analysis::AttentionKind;
using analysis::HeadRef;

std::optional<HeadRef> head_of(const Where& where) {
  if (where.head < 0 || where.layer < 0) return std::nullopt;
  if (where.stack == Stack::encoder && where.sublayer == Sublayer::self_attn)
    return HeadRef{AttentionKind::encoder_self, where.layer, where.head};
  if (where.stack == Stack::decoder && where.sublayer == Sublayer::self_attn)
    return HeadRef{AttentionKind::decoder_self, where.layer, where.head};
  if (where.stack == Stack::decoder && where.sublayer == Sublayer::cross_attn)
    return HeadRef{AttentionKind::cross, where.layer, where.head};
  return std::nullopt;
}

HeadRef clamp_head(const Config& config, HeadRef head) {
  const int layers = head.attention == AttentionKind::encoder_self ? config.encoder_layers : config.decoder_layers;
  head.layer = std::clamp(head.layer, 0, std::max(0, layers - 1));
  head.head = std::clamp(head.head, 0, std::max(0, config.heads - 1));
  return head;
}

int head_step(const Trace& trace, const HeadRef& head, const char* op, Phase phase) {
  const std::optional<int> step = trace.find_step(analysis::label_prefix(head) + "." + op, phase);
  return step.value_or(-1);
}

int producer_step(const Trace& trace, TensorId id) {
  for (int i = 0; i < trace.forward_count(); ++i) {
    const Step& s = trace.step(i);
    if (!s.outputs.empty() && s.outputs.front() == id) return i;
  }
  return -1;
}

HeadAxes head_axes(const AppState& app, AttentionKind kind) {
  switch (kind) {
    case AttentionKind::encoder_self: return {&app.src_words, &app.src_words, TokenSide::source, TokenSide::source};
    case AttentionKind::decoder_self:
      return {&app.tgt_in_words, &app.tgt_in_words, TokenSide::target, TokenSide::target};
    case AttentionKind::cross: return {&app.tgt_in_words, &app.src_words, TokenSide::target, TokenSide::source};
  }
  return {&app.src_words, &app.src_words, TokenSide::source, TokenSide::source};
}

std::string head_title(const HeadRef& head) {
  return std::string(analysis::to_string(head.attention)) + " · layer " + std::to_string(head.layer) + " · head " +
         std::to_string(head.head);
}

ImU32 head_colour(int head, int alpha) {
  // Okabe–Ito, safe for colour-blind viewers.
  const ImU32 colours[8] = {IM_COL32(0, 114, 178, 255),  IM_COL32(213, 94, 0, 255),  IM_COL32(0, 158, 115, 255),
                            IM_COL32(204, 121, 167, 255), IM_COL32(230, 159, 0, 255), IM_COL32(86, 180, 233, 255),
                            IM_COL32(120, 120, 120, 255), IM_COL32(160, 140, 0, 255)};
  const ImU32 c = colours[static_cast<std::size_t>(std::max(0, head) % 8)];
  return (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(std::clamp(alpha, 0, 255)) << IM_COL32_A_SHIFT);
}

}  // namespace attnviz::views
