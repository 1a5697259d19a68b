#include "views/navigator_panel.h"

#include "views/trace_index.h"

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
  bool in_layer;        // inside the N× frame
  const char* title;
};

std::vector<FigureBlock> column(Stack stack, const Config& config) {
  const bool closing_norm = config.has_final_norm();
  std::vector<FigureBlock> blocks;
  if (stack == Stack::encoder) {
    blocks = {{stack, Sublayer::embed, false, "Embedding + PE"},
              {stack, Sublayer::self_attn, true, "Self-attention"},
              {stack, Sublayer::norm1, true, "Add & Norm"},
              {stack, Sublayer::ffn, true, "Feed-forward"},
              {stack, Sublayer::norm2, true, "Add & Norm"}};
  } else {
    blocks = {{stack, Sublayer::embed, false, "Embedding + PE"},
              {stack, Sublayer::self_attn, true, "Masked self-attention"},
              {stack, Sublayer::norm1, true, "Add & Norm"},
              {stack, Sublayer::cross_attn, true, "Enc–dec attention"},
              {stack, Sublayer::norm2, true, "Add & Norm"},
              {stack, Sublayer::ffn, true, "Feed-forward"},
              {stack, Sublayer::norm3, true, "Add & Norm"}};
  }
  if (closing_norm) blocks.push_back({stack, Sublayer::final_norm, false, "Layer norm"});
  if (stack == Stack::decoder) {
    blocks.push_back({Stack::output, Sublayer::generator, false, "Linear"});
    blocks.push_back({Stack::output, Sublayer::loss, false, "Softmax + loss"});
  }
  return blocks;
}

void arrow(ImDrawList* draw, ImVec2 from, ImVec2 to, ImU32 colour, float size) {
  draw->AddLine(from, to, colour, std::max(1.5f, size * 0.25f));
  const float dy = to.y < from.y ? 1.0f : -1.0f;
  const float dx = to.x < from.x ? 1.0f : (to.x > from.x ? -1.0f : 0.0f);
  if (dx == 0)
    draw->AddTriangleFilled(to, ImVec2(to.x - size * 0.5f, to.y + dy * size), ImVec2(to.x + size * 0.5f, to.y + dy * size), colour);
  else
    draw->AddTriangleFilled(to, ImVec2(to.x + dx * size, to.y - size * 0.5f), ImVec2(to.x + dx * size, to.y + size * 0.5f), colour);
}

}  // namespace

void NavigatorPanel::draw(const AppState& app, Selection& selection, Commands& commands) {
  const Trace& trace = app.session.trace();
  const Config& config = app.session.config();
  const Palette& pal = palette(app.theme);
  const Step& current = trace.step(selection.step);
  const bool backward = current.phase == Phase::backward;
  const Block& current_block = app.index.blocks()[static_cast<std::size_t>(app.index.block_of_step(selection.step))];

  if (followed_step_ != selection.step) {
    if (current.where.layer >= 0 && current.where.stack != Stack::output)
      shown_layer_[current.where.stack == Stack::encoder ? 0 : 1] = current.where.layer;
    followed_step_ = selection.step;
  }
  shown_layer_[0] = std::clamp(shown_layer_[0], 0, std::max(0, config.encoder_layers - 1));
  shown_layer_[1] = std::clamp(shown_layer_[1], 0, std::max(0, config.decoder_layers - 1));

  const std::vector<FigureBlock> columns[2] = {column(Stack::encoder, config), column(Stack::decoder, config)};

  // Geometry in line heights L; the whole figure shrinks (font included) to fit the panel.
  ImGui::SetWindowFontScale(1.0f);
  // Each column as wide as its longest title, or its N× frame header ("2× layer" and one chip
  // per layer), whichever is wider.
  float L = ImGui::GetTextLineHeight();
  float column_w[2] = {0, 0};
  for (int c = 0; c < 2; ++c) {
    for (const FigureBlock& b : columns[c]) column_w[c] = std::max(column_w[c], ImGui::CalcTextSize(b.title).x + 1.2f * L);
    const int layers = c == 0 ? config.encoder_layers : config.decoder_layers;
    const float header = ImGui::CalcTextSize("00× layer").x + 0.5f * L + static_cast<float>(layers) * 1.6f * L;
    column_w[c] = std::max(column_w[c], header);
  }
  const float norm_w0 = ImGui::CalcTextSize("0.0000").x;
  const float needed_w = column_w[0] + column_w[1] + 2 * norm_w0 + 3.0f * L;
  const float rows_h = 1.5f + 0.9f;  // block + arrow gap
  const int decoder_rows = static_cast<int>(columns[1].size());
  const float needed_h = (static_cast<float>(decoder_rows) * rows_h + 2.6f + 2.2f) * L;
  // The figure grows and shrinks with the panel, but its labels stay at least min_label_scale of
  // the text size; below that the panel scrolls (keeping the current block in view).
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float s = std::clamp(std::min(avail.x / needed_w, avail.y / needed_h), min_label_scale, 1.5f);
  ImGui::SetWindowFontScale(s);
  L = ImGui::GetTextLineHeight();
  label_pixels_ = ImGui::GetFontSize();
  const float norm_w = norm_w0 * s;
  const float block_h = 1.5f * L, gap = 0.9f * L, frame_header = 1.6f * L, pad = 0.4f * L;

  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float bottom = origin.y + needed_h * s - 1.6f * L;  // legend below
  const ImU32 arrow_colour = backward ? pal.backward_arrow : pal.forward_arrow;

  ImVec2 encoder_top{}, cross_attn_left{};
  for (int c = 0; c < 2; ++c) {
    const float block_w = column_w[c] * s;
    const float x0 = origin.x + pad + (c == 0 ? 0.0f : column_w[0] * s + norm_w + 2.0f * L);
    const int layers = c == 0 ? config.encoder_layers : config.decoder_layers;
    float y = bottom;
    ImVec2 previous_top{};
    bool frame_open = false;
    float frame_bottom = 0;
    // One pass beyond the last block closes a frame still open (the encoder's).
    for (std::size_t i = 0; i <= columns[c].size(); ++i) {
      const bool end = i == columns[c].size();
      if (!end && columns[c][i].in_layer && !frame_open) {
        frame_open = true;
        frame_bottom = y;
        y -= pad;
      }
      if ((end || !columns[c][i].in_layer) && frame_open) {
        // Close the N× frame: its header holds the layer chips.
        frame_open = false;
        y -= frame_header;
        const ImVec2 f0(x0 - pad, y), f1(x0 + block_w + pad, frame_bottom + 0.1f * L);
        draw->AddRect(f0, f1, pal.text_dim, 6.0f, 0, 1.5f);
        char title[32];
        std::snprintf(title, sizeof title, "%d× layer", layers);
        draw->AddText(ImVec2(f0.x + pad, f0.y + 0.25f * L), pal.text_dim, title);
        float chip_x = f0.x + pad + ImGui::CalcTextSize(title).x + 0.5f * L;
        for (int l = 0; l < layers; ++l) {
          char label[12];
          std::snprintf(label, sizeof label, "%d", l);
          const ImVec2 c0(chip_x, f0.y + 0.2f * L), c1(chip_x + 1.3f * L, f0.y + 1.3f * L);
          const bool shown = l == shown_layer_[c];
          const bool active = current.where.stack == (c == 0 ? Stack::encoder : Stack::decoder) && current.where.layer == l;
          draw->AddRectFilled(c0, c1, shown ? pal.accent : pal.block, 3.0f);
          if (active) draw->AddRect(c0, c1, pal.current_block, 3.0f, 0, 2.5f);
          const ImVec2 ts = ImGui::CalcTextSize(label);
          draw->AddText(ImVec2((c0.x + c1.x - ts.x) / 2, (c0.y + c1.y - ts.y) / 2), shown ? pal.accent_text : pal.text, label);
          ImGui::SetCursorScreenPos(c0);
          ImGui::PushID(c * 100 + l);
          if (ImGui::InvisibleButton("layer", ImVec2(c1.x - c0.x, c1.y - c0.y))) shown_layer_[c] = l;
          if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show layer %d", l);
          ImGui::PopID();
          chip_x = c1.x + 0.3f * L;
        }
        if (c == 0) encoder_top = ImVec2(x0 + block_w / 2, f0.y);
        previous_top = ImVec2(x0 + block_w / 2, f0.y);
        y -= gap;
      }
      if (end) break;
      const FigureBlock& fb = columns[c][i];
      const int layer = fb.in_layer ? shown_layer_[c] : -1;
      const int b = app.index.find_block(fb.stack, layer, fb.sublayer);
      const ImVec2 p0(x0, y - block_h), p1(x0 + block_w, y);
      if (previous_top.y != 0) {
        const ImVec2 lower = previous_top, upper(x0 + block_w / 2, p1.y);
        if (backward) arrow(draw, upper, lower, arrow_colour, 0.45f * L);
        else arrow(draw, lower, upper, arrow_colour, 0.45f * L);
      }
      const bool is_current = b >= 0 && &app.index.blocks()[static_cast<std::size_t>(b)] == &current_block;
      if (is_current && scrolled_to_step_ != selection.step) {
        ImGui::SetScrollFromPosY(p0.y - ImGui::GetWindowPos().y, 0.5f);
        scrolled_to_step_ = selection.step;
      }
      draw->AddRectFilled(p0, p1, is_current ? pal.current_block : pal.block, 5.0f);
      draw->AddRect(p0, p1, pal.block_border, 5.0f, 0, is_current ? 3.0f : 1.0f);
      if (const int hovered = selection.hover.pointed_step();
          b >= 0 && hovered >= 0 && hovered < app.index.step_count() && app.index.block_of_step(hovered) == b)
        draw->AddRect(ImVec2(p0.x - 3, p0.y - 3), ImVec2(p1.x + 3, p1.y + 3), pal.hover_outline, 6.0f, 0, 2.5f);
      const ImVec2 ts = ImGui::CalcTextSize(fb.title);
      draw->AddText(ImVec2(x0 + (block_w - ts.x) / 2, y - block_h + (block_h - ts.y) / 2),
                    is_current ? IM_COL32(0, 0, 0, 255) : pal.text, fb.title);
      if (fb.sublayer == Sublayer::cross_attn) cross_attn_left = ImVec2(p0.x, (p0.y + p1.y) / 2);

      if (b >= 0) {
        const Block& block = app.index.blocks()[static_cast<std::size_t>(b)];
        if (backward && block.first_backward >= 0 && selection.step >= block.last_backward) {
          const std::string norm = short_number(block.grad_norm_out);
          draw->AddText(ImVec2(p1.x + pad + 0.3f * L, y - block_h + (block_h - L) / 2), pal.backward_arrow,
                        norm.c_str());
        }
        ImGui::SetCursorScreenPos(p0);
        ImGui::PushID(c * 1000 + static_cast<int>(i));
        if (ImGui::InvisibleButton("block", ImVec2(block_w, block_h))) {
          const int target = backward && block.first_backward >= 0 ? block.first_backward : block.first_forward;
          if (target >= 0) commands.push(GoToStep{target});
        }
        if (ImGui::IsItemHovered()) {
          ImGui::BeginTooltip();
          ImGui::TextUnformatted(where_in_words(block.where).c_str());
          ImGui::Text("steps from %d (forward), %d (backward)", block.first_forward, block.first_backward);
          if (block.first_backward >= 0) ImGui::Text("‖gradient out‖ = %.6g", block.grad_norm_out);
          ImGui::TextDisabled("click: jump to its first %s step", backward ? "backward" : "forward");
          ImGui::EndTooltip();
        }
        ImGui::PopID();
      }
      previous_top = ImVec2(x0 + block_w / 2, p0.y);
      y = p0.y - gap;
    }
    draw->AddText(ImVec2(x0, origin.y), pal.text_dim, c == 0 ? "Encoder" : "Decoder");
  }
  // The encoder's output ("memory") feeds every decoder layer's cross-attention.
  if (encoder_top.y != 0 && cross_attn_left.y != 0) {
    const float up = encoder_top.y - 0.6f * L;
    const ImVec2 corner(encoder_top.x, std::min(up, cross_attn_left.y));
    const ImU32 colour = arrow_colour;
    const float t = std::max(1.5f, 0.11f * L);
    const ImVec2 elbow(cross_attn_left.x - 0.9f * L, corner.y);
    if (backward) {
      draw->AddLine(cross_attn_left, ImVec2(elbow.x, cross_attn_left.y), colour, t);
      draw->AddLine(ImVec2(elbow.x, cross_attn_left.y), elbow, colour, t);
      draw->AddLine(elbow, corner, colour, t);
      arrow(draw, corner, encoder_top, colour, 0.45f * L);
    } else {
      draw->AddLine(encoder_top, corner, colour, t);
      draw->AddLine(corner, elbow, colour, t);
      draw->AddLine(elbow, ImVec2(elbow.x, cross_attn_left.y), colour, t);
      arrow(draw, ImVec2(elbow.x, cross_attn_left.y), cross_attn_left, colour, 0.45f * L);
    }
  }
  if (backward) {
    const char* legend = "numbers: ‖gradient flowing out‖";
    draw->AddText(ImVec2(origin.x + pad, bottom + 0.1f * L), pal.backward_arrow, legend);
  }
  ImGui::SetWindowFontScale(1.0f);
  ImGui::SetCursorScreenPos(origin);
  ImGui::Dummy(ImVec2(needed_w * s, needed_h * s));  // the scroll extent
}

}  // namespace attnviz::views
