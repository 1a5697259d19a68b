#include "views/head_focus.h"

#include "views/i18n.h"
#include "views/plot.h"

#include <algorithm>
#include <cstdio>

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

HeadRef followed_head(const Config& config, const Where& where, HeadRef current) {
  if (const std::optional<HeadRef> at = head_of(where))
    current = *at;
  else if (where.layer >= 0 && (where.sublayer == Sublayer::self_attn || where.sublayer == Sublayer::cross_attn)) {
    current.attention = where.stack == Stack::encoder           ? AttentionKind::encoder_self
                        : where.sublayer == Sublayer::self_attn ? AttentionKind::decoder_self
                                                                : AttentionKind::cross;
    current.layer = where.layer;
  }
  return clamp_head(config, current);
}

bool choose_head(const Config& config, HeadRef& head) {
  bool changed = false;
  const float font = ImGui::GetFontSize();
  const AttentionKind kinds[3] = {AttentionKind::encoder_self, AttentionKind::decoder_self, AttentionKind::cross};
  const float arrow = ImGui::GetFrameHeight() + ImGui::GetStyle().FramePadding.x * 2;
  float kind_w = 0;
  for (AttentionKind kind : kinds) kind_w = std::max(kind_w, ImGui::CalcTextSize(tr(analysis::to_string(kind))).x);
  ImGui::SetNextItemWidth(kind_w + arrow);
  if (ImGui::BeginCombo("##attention", tr(analysis::to_string(head.attention)))) {
    for (AttentionKind kind : kinds)
      if (ImGui::Selectable(tr(analysis::to_string(kind)), kind == head.attention)) {
        head.attention = kind;
        changed = true;
      }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("Which attention"));
  const int layers = head.attention == AttentionKind::encoder_self ? config.encoder_layers : config.decoder_layers;
  const float small_w = std::max(ImGui::CalcTextSize(formatted(tr("layer %d"), 10).c_str()).x,
                                 ImGui::CalcTextSize(formatted(tr("head %d"), 10).c_str()).x) +
                        arrow;
  if (ImGui::GetContentRegionAvail().x - (ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x) > small_w * 2 + font)
    ImGui::SameLine();
  ImGui::SetNextItemWidth(small_w);
  if (ImGui::BeginCombo("##layer", formatted(tr("layer %d"), head.layer).c_str())) {
    for (int l = 0; l < layers; ++l)
      if (ImGui::Selectable(formatted(tr("layer %d"), l).c_str(), l == head.layer)) head.layer = l, changed = true;
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(small_w);
  if (ImGui::BeginCombo("##head", formatted(tr("head %d"), head.head).c_str())) {
    for (int h = 0; h < config.heads; ++h)
      if (ImGui::Selectable(formatted(tr("head %d"), h).c_str(), h == head.head)) head.head = h, changed = true;
    ImGui::EndCombo();
  }
  head = clamp_head(config, head);
  return changed;
}

void head_bar(const AppState& app, Selection& selection, Commands& commands) {
  const Trace& trace = app.session.trace();
  const Phase phase = trace.step(selection.step).phase;
  if (choose_head(app.session.config(), selection.head)) {
    const int step = head_step(trace, selection.head, Role::attention_weights, phase);
    if (step >= 0) commands.push(GoToStep{step});
  }
  const int step = head_step(trace, selection.head, Role::attention_weights, phase);
  if (step >= 0 && step != selection.step) {
    same_line_if_fits(ImGui::CalcTextSize(tr("go to its softmax step")).x + ImGui::GetStyle().FramePadding.x * 2);
    if (ImGui::SmallButton(tr("go to its softmax step"))) commands.push(GoToStep{step});
    if (ImGui::IsItemHovered()) ImGui::SetTooltip(tr("Step %d: %s"), step, trace.step(step).label.c_str());
  } else {
    same_line_if_fits(ImGui::CalcTextSize(tr("(follows the step cursor)")).x);
    ImGui::TextDisabled("%s", tr("(follows the step cursor)"));
  }
}

int head_step(const Trace& trace, const HeadRef& head, Role role, Phase phase) {
  const Where where = analysis::where_of(head);
  for (int i = 0; i < trace.forward_count(); ++i) {
    const Step& s = trace.step(i);
    if (s.where == where && trace.tensor(s.outputs.front()).role == role) return phase == Phase::forward ? i : s.twin;
  }
  return -1;
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
  return formatted(tr("%s · layer %d · head %d"), tr(analysis::to_string(head.attention)), head.layer, head.head);
}

ImU32 head_colour(int head, int alpha) {
  // Okabe–Ito, safe for colour-blind viewers.
  const ImU32 colours[8] = {IM_COL32(0, 114, 178, 255),   IM_COL32(213, 94, 0, 255),  IM_COL32(0, 158, 115, 255),
                            IM_COL32(204, 121, 167, 255), IM_COL32(230, 159, 0, 255), IM_COL32(86, 180, 233, 255),
                            IM_COL32(120, 120, 120, 255), IM_COL32(160, 140, 0, 255)};
  const ImU32 c = colours[static_cast<std::size_t>(std::max(0, head) % 8)];
  return (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(std::clamp(alpha, 0, 255)) << IM_COL32_A_SHIFT);
}

bool recurrent_model_note(const AppState& app) {
  const Config& c = app.session.config();
  if (!c.recurrent()) return false;
  hint(c.architecture == Architecture::bahdanau
           ? tr("This model is recurrent: its one attention is Bahdanau's, a softmax per decoder time step "
                "(decoder.t.attention in the step list). View, Why attention? shows its alignment for the whole pair.")
           : tr("This model is recurrent and has no attention: the decoder sees the source only through the "
                "encoder's last state. View, Why attention? compares it with the models that attend."));
  return true;
}

}  // namespace attnviz::views
