#include "views/mask_panel.h"

#include "model/analysis/masks.h"
#include "views/head_focus.h"
#include "views/heatmap.h"
#include "views/plot.h"

#include <algorithm>
#include <cstdint>
#include <vector>
#include <cstdio>

namespace attnviz::views {

void MaskPanel::draw(const AppState& app, Selection& selection, Commands& commands) {
  head_bar(app, selection, commands);
  const analysis::HeadRef& head = selection.head;
  const Trace& trace = app.session.trace();
  const Palette& pal = palette(app.theme);
  const Example& example = app.session.example();
  const int longest = static_cast<int>(std::max(example.src.size(), example.tgt_in.size())) - app.session.pad();
  const int max_pad = std::max(0, app.session.config().max_len - longest);
  if (pad_generation_ != app.generation) {
    pad_ = app.session.pad();
    pad_generation_ = app.generation;
  }

  // Padding control.
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Padding:");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("<pad> tokens appended to both sentences");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::InputInt("##pad", &pad_);
  bool clamped = false;
  if (pad_ < 0 || pad_ > max_pad) {
    clamped = true;
    pad_ = std::clamp(pad_, 0, max_pad);
  }
  ImGui::SameLine();
  if (pad_ == app.session.pad()) ImGui::BeginDisabled();
  if (ImGui::Button("Pad and re-run")) commands.push(SetPadding{pad_});
  if (pad_ == app.session.pad()) ImGui::EndDisabled();
  if (clamped) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning), "0 to %d: the model's max_len is %d", max_pad,
                       app.session.config().max_len);
  } else {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("<pad> tokens after each sentence: now %d, at most %d (max_len %d)", app.session.pad(), max_pad,
                        app.session.config().max_len);
    ImGui::PopTextWrapPos();
  }

  const analysis::Masks masks = analysis::masks_of(trace);
  section_title("The masks", "— 1 = the query (row) may attend to the key (column), 0 = masked", pal);
  const float full = ImGui::GetContentRegionAvail().x;
  const float digit = ImGui::CalcTextSize("0").x;
  float used = 0;
  // The mask the chosen head uses first, marked; the others after it.
  using Kind = analysis::AttentionKind;
  const analysis::MaskMatrix* heads_mask = head.attention == Kind::encoder_self   ? &masks.src_padding
                                     : head.attention == Kind::decoder_self ? &masks.decoder_self
                                                                            : &masks.cross;
  std::vector<const analysis::MaskMatrix*> order = {heads_mask};
  if (head.attention == Kind::decoder_self) {
    order.push_back(&masks.look_ahead);
    order.push_back(&masks.tgt_padding);
  }
  for (const analysis::MaskMatrix* m : masks.all())
    if (std::find(order.begin(), order.end(), m) == order.end()) order.push_back(m);
  int index = 0;
  for (const analysis::MaskMatrix* m : order) {
    const bool src_rows = m == &masks.src_padding;
    const bool src_cols = m == &masks.src_padding || m == &masks.cross;
    HeatmapSpec spec;
    spec.caption = (m == heads_mask ? "▶ " : "") + m->title + "\nfor " + m->applies_to + (m == heads_mask ? " (this head's)" : "");
    spec.values = &m->value;
    spec.scale = ColourScale::sequential;
    spec.texture_key = mix_key(app.generation, 0x3A5C, reinterpret_cast<std::uintptr_t>(m) - reinterpret_cast<std::uintptr_t>(&masks));
    spec.row_labels = src_rows ? app.src_words : app.tgt_in_words;
    spec.col_labels = src_cols ? app.src_words : app.tgt_in_words;
    spec.row_tokens = src_rows ? TokenSide::source : TokenSide::target;
    spec.col_tokens = src_cols ? TokenSide::source : TokenSide::target;
    const float ideal = digit * 12 + static_cast<float>(m->value.cols()) * digit * 7.5f;
    const float least = digit * 10 + static_cast<float>(m->value.cols()) * digit * 3.5f;
    const float width = std::min({full, ideal, std::max(least, (full - digit * 3) / 2)});
    spec.max_width = width;
    if (index > 0 && used + width <= full) ImGui::SameLine(0, digit * 3);
    else used = 0;
    used += width + digit * 3;
    ImGui::PushID(index++);
    ImGui::BeginGroup();
    draw_heatmap(spec, HeatmapLook{app.theme, app.textures}, selection);
    ImGui::EndGroup();
    ImGui::PopID();
  }

  const analysis::HeadTensors t = analysis::head_tensors(trace, head);
  const HeadAxes axes = head_axes(app, head.attention);
  section_title(("Masking in " + head_title(head)).c_str(), nullptr, pal);
  const TensorId before = t.scaled ? *t.scaled : t.scores;
  struct Shown {
    TensorId id;
    const char* caption;
    ColourScale scale;
  };
  const Shown shown[3] = {
      {before, t.scaled ? "Before masking: S / √d_k" : "Before masking: S", ColourScale::diverging},
      {t.masked, "After masking: −∞ where the mask is 0", ColourScale::diverging},
      {t.weights, "Weights after softmax: exactly 0 where masked", ColourScale::sequential},
  };
  used = 0;
  for (int i = 0; i < 3; ++i) {
    HeatmapSpec spec;
    spec.caption = shown[i].caption;
    spec.values = &trace.value(shown[i].id);
    spec.scale = shown[i].scale;
    spec.texture_key = mix_key(app.generation, 0x3A5D, static_cast<std::uint64_t>(head.attention),
                               static_cast<std::uint64_t>(head.layer * 64 + head.head), static_cast<std::uint64_t>(i));
    spec.element = ElementRef{producer_step(trace, shown[i].id), Slot::output, 0, -1, -1};
    spec.row_labels = *axes.queries;
    spec.col_labels = *axes.keys;
    spec.row_tokens = axes.query_side;
    spec.col_tokens = axes.key_side;
    const float ideal = digit * 12 + static_cast<float>(spec.values->cols()) * digit * 7.5f;
    const float least = digit * 10 + static_cast<float>(spec.values->cols()) * digit * 5.5f;
    const float width = std::min({full, ideal, std::max(least, (full - digit * 3) / 2)});
    spec.max_width = width;
    if (i > 0 && used + width <= full) ImGui::SameLine(0, digit * 3);
    else used = 0;
    used += width + digit * 3;
    ImGui::PushID(100 + i);
    ImGui::BeginGroup();
    draw_heatmap(spec, HeatmapLook{app.theme, app.textures}, selection);
    ImGui::EndGroup();
    ImGui::PopID();
  }
}

}  // namespace attnviz::views
