#include "views/navigator_panel.h"

#include "views/figure.h"
#include "model/translatable.h"
#include "views/i18n.h"
#include "views/plot.h"
#include "views/trace_index.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace attnviz::views {
namespace {

// At most six characters, as wide as the column the layout keeps for it: "0.398", "0.0123",
// "5.7e-4", "1.2e+3".
std::string short_number(double v) {
  char text[32];
  if (v == 0 || (std::abs(v) >= 0.01 && std::abs(v) < 1000)) {
    std::snprintf(text, sizeof text, "%.3g", v);
    return text;
  }
  std::snprintf(text, sizeof text, "%.1e", v);
  std::string s = text;
  const std::size_t e = s.find('e');
  if (e != std::string::npos && e + 2 < s.size() && s[e + 2] == '0') s.erase(e + 2, 1);  // e-04 → e-4
  return s;
}

// One box of the figure, in drawing order (bottom to top) within its column.
struct FigureBlock {
  Stack stack;
  Sublayer sublayer;
  bool in_layer;      // inside the N× frame
  const char* title;  // N_: translated where drawn
};

std::vector<FigureBlock> figure_column(Stack stack, const Config& config) {
  const bool closing_norm = config.has_final_norm();
  std::vector<FigureBlock> blocks;
  if (stack == Stack::encoder) {
    blocks = {{stack, Sublayer::embed, false, N_("Embedding + PE")},
              {stack, Sublayer::self_attn, true, N_("Self-attention")},
              {stack, Sublayer::norm1, true, N_("Add & Norm")},
              {stack, Sublayer::ffn, true, N_("Feed-forward")},
              {stack, Sublayer::norm2, true, N_("Add & Norm")}};
  } else {
    blocks = {{stack, Sublayer::embed, false, N_("Embedding + PE")},
              {stack, Sublayer::self_attn, true, N_("Masked self-attention")},
              {stack, Sublayer::norm1, true, N_("Add & Norm")},
              {stack, Sublayer::cross_attn, true, N_("Enc–dec attention")},
              {stack, Sublayer::norm2, true, N_("Add & Norm")},
              {stack, Sublayer::ffn, true, N_("Feed-forward")},
              {stack, Sublayer::norm3, true, N_("Add & Norm")}};
  }
  if (closing_norm) blocks.push_back({stack, Sublayer::final_norm, false, N_("Layer norm")});
  if (stack == Stack::decoder) {
    blocks.push_back({Stack::output, Sublayer::generator, false, N_("Linear")});
    blocks.push_back({Stack::output, Sublayer::loss, false, N_("Softmax + loss")});
  }
  return blocks;
}

// The figure's geometry in pixels at scale `s` of the text: each column as wide as its longest
// title or its N× frame header ("2× layer" and one chip per layer), whichever is wider, a column
// for the gradient norms right of each, and the decoder's rows (block + arrow gap) in height.
struct Figure {
  float s = 1, L = 0;  // scale, and the line height at that scale
  float column_w[2] = {0, 0}, norm_w = 0;
  float needed_w = 0, needed_h = 0;  // at scale 1
  float block_h = 0, gap = 0, frame_header = 0, pad = 0;
  ImVec2 origin;
  float bottom = 0;  // of the lowest block; the legend below
  float x0(int c) const { return origin.x + pad + (c == 0 ? 0.0f : column_w[0] * s + norm_w + 2.0f * L); }
};

// Sets the window's font scale to the figure's (figure_scale).
Figure figure_geometry(const std::vector<FigureBlock> (&columns)[2], const Config& config, float text_scale) {
  Figure f;
  ImGui::SetWindowFontScale(1.0f);
  const float L = ImGui::GetTextLineHeight();
  for (int c = 0; c < 2; ++c) {
    for (const FigureBlock& b : columns[c])
      f.column_w[c] = std::max(f.column_w[c], ImGui::CalcTextSize(tr(b.title)).x + 1.2f * L);
    const int layers = c == 0 ? config.encoder_layers : config.decoder_layers;
    const float header = ImGui::CalcTextSize(formatted(tr("%d× layer"), 10).c_str()).x + 0.5f * L +
                         static_cast<float>(layers) * 1.6f * L;
    f.column_w[c] = std::max(f.column_w[c], header);
  }
  const float norm_w0 = ImGui::CalcTextSize("0.0000").x;
  f.needed_w = f.column_w[0] + f.column_w[1] + 2 * norm_w0 + 3.0f * L;
  const float rows_h = 1.5f + 0.9f;  // block + arrow gap
  f.needed_h = (static_cast<float>(columns[1].size()) * rows_h + 2.6f + 2.2f) * L;
  f.s = figure_scale(ImGui::GetContentRegionAvail(), ImVec2(f.needed_w, f.needed_h), text_scale);
  ImGui::SetWindowFontScale(f.s);
  f.L = ImGui::GetTextLineHeight();
  f.norm_w = norm_w0 * f.s;
  f.block_h = 1.5f * f.L;
  f.gap = 0.9f * f.L;
  f.frame_header = 1.6f * f.L;
  f.pad = 0.4f * f.L;
  f.origin = ImGui::GetCursorScreenPos();
  f.bottom = f.origin.y + f.needed_h * f.s - 1.6f * f.L;
  return f;
}

// What drawing the figure in one frame reads.
struct Canvas {
  const AppState& app;
  const Selection& selection;
  Commands& commands;
  const Figure& f;
  ImDrawList* draw;
  const Palette& pal;
  bool backward;
  ImU32 arrow_colour() const { return backward ? pal.backward_arrow : pal.forward_arrow; }
};

// The N× frame from `top` down to `bottom` around column c's layer blocks; its header holds a
// chip per layer: the shown one filled, the cursor's outlined; a click shows that layer.
void layer_frame(const Canvas& k, int c, float top, float bottom, int layers, int& shown_layer) {
  const Figure& f = k.f;
  const Where& at = k.app.session.trace().step(k.selection.step).where;
  const float x0 = f.x0(c), L = f.L;
  const ImVec2 f0(x0 - f.pad, top), f1(x0 + f.column_w[c] * f.s + f.pad, bottom + 0.1f * L);
  k.draw->AddRect(f0, f1, k.pal.text_dim, 6.0f, 0, 1.5f);
  const std::string title = formatted(tr("%d× layer"), layers);
  k.draw->AddText(ImVec2(f0.x + f.pad, f0.y + 0.25f * L), k.pal.text_dim, title.c_str());
  float chip_x = f0.x + f.pad + ImGui::CalcTextSize(title.c_str()).x + 0.5f * L;
  for (int l = 0; l < layers; ++l) {
    char label[12];
    std::snprintf(label, sizeof label, "%d", l);
    const ImVec2 c0(chip_x, f0.y + 0.2f * L), c1(chip_x + 1.3f * L, f0.y + 1.3f * L);
    const bool shown = l == shown_layer;
    const bool active = at.stack == (c == 0 ? Stack::encoder : Stack::decoder) && at.layer == l;
    k.draw->AddRectFilled(c0, c1, shown ? k.pal.accent : k.pal.block, 3.0f);
    if (active) k.draw->AddRect(c0, c1, k.pal.current_block, 3.0f, 0, 2.5f);
    const ImVec2 ts = ImGui::CalcTextSize(label);
    k.draw->AddText(ImVec2((c0.x + c1.x - ts.x) / 2, (c0.y + c1.y - ts.y) / 2), shown ? k.pal.accent_text : k.pal.text,
                    label);
    ImGui::SetCursorScreenPos(c0);
    ImGui::PushID(c * 100 + l);
    if (ImGui::InvisibleButton("layer", ImVec2(c1.x - c0.x, c1.y - c0.y))) shown_layer = l;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip(tr("Show layer %d"), l);
    ImGui::PopID();
    chip_x = c1.x + 0.3f * L;
  }
}

// A block's tooltip: where it is, its first steps, the norm of the gradient out of it.
void block_tooltip(const Block& block, bool backward) {
  ImGui::BeginTooltip();
  ImGui::TextUnformatted(where_in_words(block.where).c_str());
  ImGui::Text(tr("steps from %d (forward), %d (backward)"), block.first_forward, block.first_backward);
  if (block.first_backward >= 0) ImGui::Text(tr("‖gradient out‖ = %.6g"), block.grad_norm_out);
  ImGui::TextDisabled(tr("click: jump to its first %s step"), backward ? tr("backward") : tr("forward"));
  ImGui::EndTooltip();
}

// Block b (of the trace index; −1: not in this trace) in column c with its bottom at y: lit when
// it holds the cursor (and scrolled into view once), outlined when the mouse points at one of its
// steps elsewhere; in the backward phase, once passed, the norm of the gradient out of it; a
// click jumps to its first step of the phase.
void draw_block(const Canvas& k, const FigureBlock& fb, int b, int c, float y, int id, int& scrolled_to_step) {
  const Figure& f = k.f;
  const Selection& selection = k.selection;
  const float block_w = f.column_w[c] * f.s;
  const ImVec2 p0(f.x0(c), y - f.block_h), p1(f.x0(c) + block_w, y);
  const bool is_current = b >= 0 && b == k.app.index.block_of_step(selection.step);
  if (is_current && scrolled_to_step != selection.step) {
    ImGui::SetScrollFromPosY(p0.y - ImGui::GetWindowPos().y, 0.5f);
    scrolled_to_step = selection.step;
  }
  const int hovered = selection.hover.pointed_step();
  const bool pointed =
      b >= 0 && hovered >= 0 && hovered < k.app.index.step_count() && k.app.index.block_of_step(hovered) == b;
  figure_box(k.draw, p0, p1, tr(fb.title), is_current, pointed, k.pal);
  if (b < 0) return;
  const Block& block = k.app.index.blocks()[static_cast<std::size_t>(b)];
  if (k.backward && block.first_backward >= 0 && selection.step >= block.last_backward) {
    const std::string norm = short_number(block.grad_norm_out);
    k.draw->AddText(ImVec2(p1.x + f.pad + 0.3f * f.L, p0.y + (f.block_h - f.L) / 2), k.pal.backward_arrow,
                    norm.c_str());
  }
  ImGui::SetCursorScreenPos(p0);
  ImGui::PushID(id);
  if (ImGui::InvisibleButton("block", ImVec2(block_w, f.block_h))) {
    const int target = k.backward && block.first_backward >= 0 ? block.first_backward : block.first_forward;
    if (target >= 0) k.commands.push(GoToStep{target});
  }
  if (ImGui::IsItemHovered()) block_tooltip(block, k.backward);
  ImGui::PopID();
}

// Where a column's N× frame has its top and its cross-attention block its left side (0: none).
struct ColumnEnds {
  ImVec2 frame_top, cross_attn_left;
};

// Column c bottom to top: blocks joined by arrows (turned around in the backward phase), the
// layer blocks in their N× frame showing layer `shown_layer`.
ColumnEnds draw_column(const Canvas& k, int c, const std::vector<FigureBlock>& blocks, int& shown_layer,
                       int& scrolled_to_step) {
  const Figure& f = k.f;
  const Config& config = k.app.session.config();
  const float block_w = f.column_w[c] * f.s, x0 = f.x0(c);
  float y = f.bottom, frame_bottom = 0;
  ImVec2 previous_top{};
  ColumnEnds ends;
  bool frame_open = false;
  // One pass beyond the last block closes a frame still open (the encoder's).
  for (std::size_t i = 0; i <= blocks.size(); ++i) {
    const bool end = i == blocks.size();
    if (!end && blocks[i].in_layer && !frame_open) {
      frame_open = true;
      frame_bottom = y;
      y -= f.pad;
    }
    if ((end || !blocks[i].in_layer) && frame_open) {
      frame_open = false;
      y -= f.frame_header;
      layer_frame(k, c, y, frame_bottom, c == 0 ? config.encoder_layers : config.decoder_layers, shown_layer);
      ends.frame_top = previous_top = ImVec2(x0 + block_w / 2, y);
      y -= f.gap;
    }
    if (end) break;
    const FigureBlock& fb = blocks[i];
    const int b = k.app.index.find_block(fb.stack, fb.in_layer ? shown_layer : -1, fb.sublayer);
    const ImVec2 p0(x0, y - f.block_h);
    if (previous_top.y != 0) {
      const ImVec2 lower = previous_top, upper(x0 + block_w / 2, y);
      if (k.backward)
        arrow(k.draw, upper, lower, k.arrow_colour(), 0.45f * f.L);
      else
        arrow(k.draw, lower, upper, k.arrow_colour(), 0.45f * f.L);
    }
    draw_block(k, fb, b, c, y, c * 1000 + static_cast<int>(i), scrolled_to_step);
    if (fb.sublayer == Sublayer::cross_attn) ends.cross_attn_left = ImVec2(p0.x, (p0.y + y) / 2);
    previous_top = ImVec2(x0 + block_w / 2, p0.y);
    y = p0.y - f.gap;
  }
  k.draw->AddText(ImVec2(x0, f.origin.y), k.pal.text_dim, c == 0 ? tr("Encoder") : tr("Decoder"));
  return ends;
}

// The encoder's output ("memory") feeds every decoder layer's cross-attention: from the top of
// the encoder up and across to the left of the cross-attention block (backward: the other way).
void memory_arrow(const Canvas& k, ImVec2 encoder_top, ImVec2 cross_attn_left) {
  const float L = k.f.L;
  const ImU32 colour = k.arrow_colour();
  const float up = encoder_top.y - 0.6f * L;
  const ImVec2 corner(encoder_top.x, std::min(up, cross_attn_left.y));
  const float t = std::max(1.5f, 0.11f * L);
  const ImVec2 elbow(cross_attn_left.x - 0.9f * L, corner.y);
  if (k.backward) {
    k.draw->AddLine(cross_attn_left, ImVec2(elbow.x, cross_attn_left.y), colour, t);
    k.draw->AddLine(ImVec2(elbow.x, cross_attn_left.y), elbow, colour, t);
    k.draw->AddLine(elbow, corner, colour, t);
    arrow(k.draw, corner, encoder_top, colour, 0.45f * L);
  } else {
    k.draw->AddLine(encoder_top, corner, colour, t);
    k.draw->AddLine(corner, elbow, colour, t);
    k.draw->AddLine(elbow, ImVec2(elbow.x, cross_attn_left.y), colour, t);
    arrow(k.draw, ImVec2(elbow.x, cross_attn_left.y), cross_attn_left, colour, 0.45f * L);
  }
}

}  // namespace

// The layers the N× frames show follow the cursor into a layer; the user may show another.
void NavigatorPanel::follow_cursor(const Trace& trace, const Config& config, int step) {
  if (followed_step_ != step) {
    const Where& at = trace.step(step).where;
    if (at.layer >= 0 && at.stack != Stack::output) shown_layer_[at.stack == Stack::encoder ? 0 : 1] = at.layer;
    followed_step_ = step;
  }
  shown_layer_[0] = std::clamp(shown_layer_[0], 0, std::max(0, config.encoder_layers - 1));
  shown_layer_[1] = std::clamp(shown_layer_[1], 0, std::max(0, config.decoder_layers - 1));
}

float figure_scale(ImVec2 avail, ImVec2 needed, float text_scale) {
  const float by_height = std::clamp(avail.y / needed.y, NavigatorPanel::min_label_scale, 1.5f);
  const float least = std::min(NavigatorPanel::min_label_scale, 1 / text_scale);
  return std::max(std::min(avail.x / needed.x, by_height), least);
}

void figure_box(ImDrawList* draw, ImVec2 p0, ImVec2 p1, const char* title, bool current, bool pointed,
                const Palette& pal) {
  draw->AddRectFilled(p0, p1, current ? pal.current_block : pal.block, 5.0f);
  draw->AddRect(p0, p1, pal.block_border, 5.0f, 0, current ? 3.0f : 1.0f);
  if (pointed) draw->AddRect(ImVec2(p0.x - 3, p0.y - 3), ImVec2(p1.x + 3, p1.y + 3), pal.hover_outline, 6.0f, 0, 2.5f);
  const ImVec2 ts = ImGui::CalcTextSize(title);
  draw->AddText(ImVec2(p0.x + (p1.x - p0.x - ts.x) / 2, p0.y + (p1.y - p0.y - ts.y) / 2),
                current ? IM_COL32(0, 0, 0, 255) : pal.text, title);
}

void NavigatorPanel::draw(const AppState& app, Selection& selection, Commands& commands) {
  const char* name =
      app.session.fixed_attention() ? N_("The steps of one attention head") : N_("The Transformer's architecture");
  figure(name, [&](float scale) {
    const float labels = label_pixels_;
    draw_figure(app, selection, commands);
    if (scale != 1) label_pixels_ = labels;  // the window's text, not the picture's
  });
}

void NavigatorPanel::draw_figure(const AppState& app, Selection& selection, Commands& commands) {
  if (app.session.fixed_attention()) {
    graph_.draw(app, selection, commands);
    label_pixels_ = graph_.label_pixels();
    return;
  }
  const Config& config = app.session.config();
  if (config.recurrent()) {  // the figure is the Transformer's: say where this model's steps are
    const Step& step = app.session.trace().step(selection.step);
    // The panel scrolls sideways for the figure: the notes wrap at its visible right edge, in a
    // child as wide as what is seen.
    const float visible_w = ImGui::GetCurrentWindow()->InnerClipRect.Max.x - ImGui::GetStyle().WindowPadding.x -
                            ImGui::GetCursorScreenPos().x;
    ImGui::BeginChild("recurrent note", ImVec2(std::max(visible_w, ImGui::GetFontSize() * 8), 0));
    ImGui::TextWrapped("%s",
                       config.architecture == Architecture::bahdanau
                           ? tr("A recurrent encoder–decoder with Bahdanau attention: a cell per source word, then per "
                                "target word, each decoder step attending to every encoder state.")
                           : tr("A recurrent encoder–decoder (Seq2Seq): a cell per source word, then per target word, "
                                "the decoder starting from the encoder's last state alone."));
    ImGui::Spacing();
    ImGui::TextWrapped("%s", formatted(tr("Now: %s"), where_in_words(step.where).c_str()).c_str());
    hint(tr("The step list groups its steps by time step; View, Why attention? compares it with the others."));
    ImGui::EndChild();
    label_pixels_ = ImGui::GetFontSize();
    return;
  }
  const bool backward = app.session.trace().step(selection.step).phase == Phase::backward;
  follow_cursor(app.session.trace(), config, selection.step);
  const std::vector<FigureBlock> columns[2] = {figure_column(Stack::encoder, config),
                                               figure_column(Stack::decoder, config)};
  const Figure f = figure_geometry(columns, config, app.ui_scale);
  label_pixels_ = ImGui::GetFontSize();
  const Canvas k{app, selection, commands, f, ImGui::GetWindowDrawList(), palette(app.theme), backward};
  const ColumnEnds encoder = draw_column(k, 0, columns[0], shown_layer_[0], scrolled_to_step_);
  const ColumnEnds decoder = draw_column(k, 1, columns[1], shown_layer_[1], scrolled_to_step_);
  if (encoder.frame_top.y != 0 && decoder.cross_attn_left.y != 0)
    memory_arrow(k, encoder.frame_top, decoder.cross_attn_left);
  if (backward)
    k.draw->AddText(ImVec2(f.origin.x + f.pad, f.bottom + 0.1f * f.L), k.pal.backward_arrow,
                    tr("numbers: ‖gradient flowing out‖"));
  ImGui::SetWindowFontScale(1.0f);
  ImGui::SetCursorScreenPos(f.origin);
  ImGui::Dummy(ImVec2(f.needed_w * f.s, f.needed_h * f.s));  // the scroll extent
}

}  // namespace attnviz::views
