#include "views/mask_panel.h"

#include "model/translatable.h"

#include "model/analysis/masks.h"
#include "views/head_focus.h"
#include "views/heatmap.h"
#include "views/i18n.h"
#include "views/plot.h"

#include <algorithm>
#include <cstdint>
#include <vector>
#include <cstdio>

namespace attnviz::views {

namespace {

// A heatmap's width: `per_col` digits a column, at most 7½ (and the room), at least half the room.
float matrix_width(const Mat& m, float full, float per_col) {
  const float digit = ImGui::CalcTextSize("0").x;
  const float ideal = digit * 12 + static_cast<float>(m.cols()) * digit * 7.5f;
  const float least = digit * 10 + static_cast<float>(m.cols()) * digit * per_col;
  return std::min({full, ideal, std::max(least, (full - digit * 3) / 2)});
}

// The masks, the one the head's attention uses first (marked), then the masks it combines (for
// the decoder's self-attention: look-ahead and target padding), then the others.
std::vector<const analysis::MaskMatrix*> masks_in_order(const analysis::Masks& masks, analysis::AttentionKind kind) {
  using Kind = analysis::AttentionKind;
  std::vector<const analysis::MaskMatrix*> order = {kind == Kind::encoder_self   ? &masks.src_padding
                                                    : kind == Kind::decoder_self ? &masks.decoder_self
                                                                                 : &masks.cross};
  if (kind == Kind::decoder_self) {
    order.push_back(&masks.look_ahead);
    order.push_back(&masks.tgt_padding);
  }
  for (const analysis::MaskMatrix* m : masks.all())
    if (std::find(order.begin(), order.end(), m) == order.end()) order.push_back(m);
  return order;
}

// Every mask as a matrix (1 = may attend), titled with the attention it applies to.
void masks_view(const AppState& app, Selection& selection, const Palette& pal) {
  const analysis::Masks masks = analysis::masks_of(app.session.trace());
  section_title(tr("The masks"), tr("— 1 = the query (row) may attend to the key (column), 0 = masked"), pal);
  HeatmapRow row{ImGui::GetContentRegionAvail().x, ImGui::CalcTextSize("0").x * 3};
  const std::vector<const analysis::MaskMatrix*> order = masks_in_order(masks, selection.head.attention);
  for (const analysis::MaskMatrix* m : order) {
    const bool heads = m == order.front();
    const bool src_rows = m == &masks.src_padding;
    const bool src_cols = m == &masks.src_padding || m == &masks.cross;
    HeatmapSpec spec;
    spec.name = m->title;
    spec.caption = (heads ? "▶ " : "") + tr(m->title) + "\n" +
                   formatted(heads ? tr("for %s (this head's)") : tr("for %s"), tr(m->applies_to).c_str());
    spec.values = &m->value;
    spec.scale = ColourScale::sequential;
    spec.texture_key =
        mix_key(app.generation, 0x3A5C, reinterpret_cast<std::uintptr_t>(m) - reinterpret_cast<std::uintptr_t>(&masks));
    spec.row_labels = src_rows ? app.src_words : app.tgt_in_words;
    spec.col_labels = src_cols ? app.src_words : app.tgt_in_words;
    spec.row_tokens = src_rows ? TokenSide::source : TokenSide::target;
    spec.col_tokens = src_cols ? TokenSide::source : TokenSide::target;
    row.draw(spec, matrix_width(m->value, row.full, 3.5f), row.count, HeatmapLook{app.theme, app.textures}, selection);
  }
}

// The chosen head's scores before masking, after (−∞ where masked), and its weights (0 there).
void head_masking(const AppState& app, Selection& selection, const Palette& pal) {
  const Trace& trace = app.session.trace();
  const analysis::HeadRef& head = selection.head;
  const analysis::HeadTensors t = analysis::head_tensors(trace, head);
  const HeadAxes axes = head_axes(app, head.attention);
  section_title(formatted(tr("Masking in %s"), head_title(head).c_str()).c_str(), nullptr, pal);
  struct Shown {
    TensorId id;
    const char* caption;
    ColourScale scale;
  };
  const Shown shown[3] = {
      {t.scaled ? *t.scaled : t.scores, t.scaled ? N_("Before masking: S / √d_k") : N_("Before masking: S"),
       ColourScale::diverging},
      {t.masked, N_("After masking: −∞ where the mask is 0"), ColourScale::diverging},
      {t.weights, N_("Weights after softmax: exactly 0 where masked"), ColourScale::sequential},
  };
  HeatmapRow row{ImGui::GetContentRegionAvail().x, ImGui::CalcTextSize("0").x * 3};
  for (int i = 0; i < 3; ++i) {
    HeatmapSpec spec;
    spec.name = shown[i].caption;
    spec.caption = tr(shown[i].caption);
    spec.values = &trace.value(shown[i].id);
    spec.scale = shown[i].scale;
    spec.texture_key = mix_key(app.generation, 0x3A5D, static_cast<std::uint64_t>(head.attention),
                               static_cast<std::uint64_t>(head.layer * 64 + head.head), static_cast<std::uint64_t>(i));
    spec.element = ElementRef{producer_step(trace, shown[i].id), Slot::output, 0, -1, -1};
    spec.row_labels = *axes.queries;
    spec.col_labels = *axes.keys;
    spec.row_tokens = axes.query_side;
    spec.col_tokens = axes.key_side;
    row.draw(spec, matrix_width(*spec.values, row.full, 5.5f), 100 + i, HeatmapLook{app.theme, app.textures},
             selection);
  }
}

}  // namespace

// The padding to append (0 to what max_len leaves), and the re-run with it.
void MaskPanel::padding_control(const AppState& app, Commands& commands, const Palette& pal) {
  const Example& example = app.session.example();
  const int max_len = app.session.config().max_len;
  const int longest = static_cast<int>(std::max(example.src.size(), example.tgt_in.size())) - app.session.pad();
  const int max_pad = std::max(0, max_len - longest);
  if (pad_generation_ != app.generation) {
    pad_ = app.session.pad();
    pad_generation_ = app.generation;
  }
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr("Padding:"));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip(tr("<pad> tokens appended to both sentences"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::InputInt("##pad", &pad_);
  const bool clamped = pad_ < 0 || pad_ > max_pad;
  pad_ = std::clamp(pad_, 0, max_pad);
  ImGui::SameLine();
  ImGui::BeginDisabled(pad_ == app.session.pad());
  if (ImGui::Button(tr("Pad and re-run"))) commands.push(SetPadding{pad_});
  ImGui::EndDisabled();
  if (clamped) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning), tr("0 to %d: the model's max_len is %d"), max_pad,
                       max_len);
    return;
  }
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled(tr("<pad> tokens after each sentence: now %d, at most %d (max_len %d)"), app.session.pad(),
                      max_pad, max_len);
  ImGui::PopTextWrapPos();
}

void MaskPanel::draw(const AppState& app, Selection& selection, Commands& commands) {
  if (recurrent_model_note(app)) return;
  head_bar(app, selection, commands);
  const Palette& pal = palette(app.theme);
  padding_control(app, commands, pal);
  masks_view(app, selection, pal);
  head_masking(app, selection, pal);
}

}  // namespace attnviz::views
