#include "views/heads_panel.h"

#include "views/figure.h"
#include "views/head_focus.h"
#include "views/heatmap.h"
#include "model/translatable.h"
#include "views/i18n.h"
#include "views/matrix_export.h"
#include "views/plot.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace attnviz::views {

using analysis::AttentionKind;
using analysis::HeadRef;

namespace {

float widest(const std::vector<std::string>& words) {
  float w = 0;
  for (const std::string& word : words) w = std::max(w, ImGui::CalcTextSize(word.c_str()).x);
  return w;
}

// The query words beside a thumbnail's rows (right-aligned to `right`), when a row is a line high.
void query_labels(ImDrawList* draw, float right, float top, float cell, const std::vector<std::string>& words,
                  ImU32 colour) {
  const float row = cell / static_cast<float>(std::max<std::size_t>(1, words.size())),
              line = ImGui::GetTextLineHeight();
  if (row < line * 0.8f) return;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const float w = ImGui::CalcTextSize(words[i].c_str()).x;
    draw->AddText(ImVec2(right - w, top + row * (static_cast<float>(i) + 0.5f) - line / 2), colour, words[i].c_str());
  }
}

// The key words under a thumbnail's columns, reading upwards from `bottom`, when a column is a
// line wide.
void key_labels(ImDrawList* draw, float left, float bottom, float cell, const std::vector<std::string>& words,
                ImU32 colour) {
  const float col = cell / static_cast<float>(std::max<std::size_t>(1, words.size())),
              line = ImGui::GetTextLineHeight();
  if (col < line * 0.9f) return;
  for (std::size_t j = 0; j < words.size(); ++j)
    upright_text(draw, ImVec2(left + col * static_cast<float>(j) + (col - line) / 2, bottom), colour, words[j]);
}

// Where the grid goes: thumbnails `cell` wide with `gap` between them, right of a column
// `label_w` wide ("layer 0" and the query words), key words `keys_h` deep under the last row.
struct Grid {
  ImVec2 origin;
  float label_w, keys_h, cell, gap, line;
  int layers;
  ImVec2 thumbnail(const HeadRef& ref) const {
    return ImVec2(origin.x + label_w + (cell + gap) * static_cast<float>(ref.head),
                  origin.y + line + 2 + (cell + gap) * static_cast<float>(ref.layer));
  }
};

Grid grid_geometry(const Config& config, const HeadAxes& axes, int layers) {
  const float font = ImGui::GetFontSize(), line = ImGui::GetTextLineHeight();
  Grid g{};
  g.label_w =
      ImGui::CalcTextSize((formatted(tr("layer %d"), 10) + " ").c_str()).x + widest(*axes.queries) + font * 0.4f;
  g.keys_h = std::min(widest(*axes.keys), font * 6) + font * 0.4f;
  g.gap = font * 0.6f;
  g.line = line;
  g.layers = layers;
  const float avail_w = ImGui::GetContentRegionAvail().x - g.label_w;
  const float avail_h = ImGui::GetContentRegionAvail().y - line * 2 - g.keys_h;
  const float by_w = avail_w / static_cast<float>(config.heads) - g.gap;
  const float by_h = avail_h / static_cast<float>(std::max(1, layers)) - g.gap - line;
  g.cell = thumbnail_side(by_w, by_h, std::max(axes.queries->size(), axes.keys->size()), line, font);
  return g;
}

// One head's thumbnail with its labels, outline and tooltip; true when clicked.
bool thumbnail(const AppState& app, Selection& selection, const Grid& g, const HeadAxes& axes, const HeadRef& ref) {
  const Trace& trace = app.session.trace();
  const Palette& pal = palette(app.theme);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const Mat& A = trace.value(analysis::head_tensors(trace, ref).weights);
  const ImVec2 p0 = g.thumbnail(ref), p1(p0.x + g.cell, p0.y + g.cell);
  if (ref.head == 0) {
    const std::string text = formatted(tr("layer %d"), ref.layer);
    draw->AddText(ImVec2(g.origin.x, p0.y + g.cell / 2 - g.line / 2), pal.text, text.c_str());
    query_labels(draw, p0.x - ImGui::GetFontSize() * 0.3f, p0.y, g.cell, *axes.queries, pal.text_dim);
  }
  if (ref.layer == g.layers - 1) key_labels(draw, p0.x, p1.y + g.keys_h, g.cell, *axes.keys, pal.text_dim);
  const std::uint64_t key = mix_key(app.generation, 0xA7, static_cast<std::uint64_t>(ref.attention),
                                    static_cast<std::uint64_t>(ref.layer), static_cast<std::uint64_t>(ref.head));
  if (app.textures) draw->AddImage(matrix_texture(*app.textures, key, A, ColourScale::sequential, {0, 1}), p0, p1);
  const bool current = ref.layer == selection.head.layer && ref.head == selection.head.head;
  draw->AddRect(p0, p1, current ? pal.selection_outline : pal.block_border, 0, 0, current ? 3.0f : 1.0f);
  ImGui::SetCursorScreenPos(p0);
  ImGui::PushID(ref.layer * 1000 + ref.head);
  const bool clicked = ImGui::InvisibleButton("head", ImVec2(g.cell, g.cell));
  matrix_context_menu("csv", A, *axes.queries, *axes.keys);
  if (ImGui::IsItemHovered()) {
    selection.hover.step = head_step(trace, ref, Role::attention_weights, Phase::forward);
    draw->AddRect(ImVec2(p0.x - 2, p0.y - 2), ImVec2(p1.x + 2, p1.y + 2), pal.hover_outline, 0, 0, 2.5f);
    ImGui::SetTooltip(tr("%s\nmean row entropy %.3f nats\nclick to open"), head_title(ref).c_str(),
                      analysis::row_entropy(A).mean());
  }
  ImGui::PopID();
  return clicked;
}

// Every head of selection.head's attention; the one clicked, if any.
std::optional<HeadRef> head_grid(const AppState& app, Selection& selection) {
  const Config& config = app.session.config();
  const AttentionKind kind = selection.head.attention;
  const int layers = kind == AttentionKind::encoder_self ? config.encoder_layers : config.decoder_layers;
  const HeadAxes axes = head_axes(app, kind);
  const Grid on_screen = grid_geometry(config, axes, layers);  // with the hint's line in its height
  hint(tr("Weights A = softmax(…) of every head; rows are queries, columns keys. Click a head to open it."));
  std::optional<HeadRef> clicked;
  figure(N_("Attention weights of every head"), [&](float scale) {
    Grid g = scale == 1 ? on_screen : grid_geometry(config, axes, layers);
    g.origin = ImGui::GetCursorScreenPos();
    for (int h = 0; h < config.heads; ++h) {
      const std::string text = formatted(tr("head %d"), h);
      ImGui::GetWindowDrawList()->AddText(ImVec2(g.thumbnail({kind, 0, h}).x, g.origin.y), head_colour(h),
                                          text.c_str());
    }
    for (const HeadRef& ref : analysis::all_heads(config, kind))
      if (thumbnail(app, selection, g, axes, ref) && scale == 1) clicked = ref;
    ImGui::SetCursorScreenPos(ImVec2(g.origin.x, g.thumbnail({kind, layers, 0}).y));
    ImGui::Dummy(ImVec2(g.label_w + (g.cell + g.gap) * static_cast<float>(config.heads), g.keys_h));
  });
  return clicked;
}

}  // namespace

float thumbnail_side(float by_w, float by_h, std::size_t tokens, float line, float font) {
  const float readable = line * 1.1f * static_cast<float>(tokens);
  return std::clamp(std::min(by_w, std::max(by_h, readable)), font * 3, font * 12);
}

void HeadsPanel::draw(const AppState& app, Selection& selection, Commands& commands) {
  if (recurrent_model_note(app)) return;
  head_bar(app, selection, commands);
  const std::optional<HeadRef> clicked = head_grid(app, selection);
  if (!clicked) return;
  selection.head = *clicked;
  const Trace& trace = app.session.trace();
  const int step = head_step(trace, *clicked, Role::attention_weights, trace.step(selection.step).phase);
  if (step >= 0) commands.push(GoToStep{step});
  show_request = PanelId::attention;
}

}  // namespace attnviz::views
