#include "views/layout.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cmath>

namespace attnviz::views {

// Three columns (wide display):             Two columns (narrow display or large text):
//  ┌──────── controls + sentences ──────┐     ┌──────── controls + sentences ──────┐
//  │ navigator │ step detail │ chain    │     │ navigator │ step detail            │
//  ├───────────┤   44%       │ rule 30% │     ├───────────┤                        │
//  │ steps 26% │             │          │     │ steps 34% ├────────────────────────┤
//  └───────────┴─────────────┴──────────┘     └───────────┴ chain rule ────────────┘
// The step list takes 40–50 % of the left column (9 rows where it can); the chain rule under the
// detail 25–30 % of the body (5 rows where it can), or only its title bar when the detail needs
// the rest for its header and first heatmap.
Layout compute_layout(const LayoutInput& in) {
  Layout l;
  const float w = in.display.x, top = in.menu_h;
  const float controls_h = std::min(in.display.y * 0.4f, in.controls_h > 0 ? in.controls_h : in.line_h * 5.3f);
  const float body_y = top + controls_h, body_h = std::max(1.0f, in.display.y - body_y);
  l.three_columns = w >= in.font * 88;
  const float nav_w = std::round(w * (l.three_columns ? 0.26f : 0.34f));
  const float chain_w = l.three_columns ? std::round(w * 0.30f) : 0;
  const float detail_w = w - nav_w - chain_w;
  const float steps_h = std::min(body_h * 0.5f, std::max(body_h * 0.4f, in.line_h * 9));
  const float nav_h = body_h - steps_h;
  l.controls = {ImVec2(0, top), ImVec2(w, controls_h)};
  l.navigator = {ImVec2(0, body_y), ImVec2(nav_w, nav_h)};
  l.steps = {ImVec2(0, body_y + nav_h), ImVec2(nav_w, steps_h)};
  if (l.three_columns) {
    l.detail = {ImVec2(nav_w, body_y), ImVec2(detail_w, body_h)};
    l.chain = {ImVec2(nav_w + detail_w, body_y), ImVec2(chain_w, body_h)};
  } else {
    const float open_h = std::min(body_h * 0.3f, std::max(body_h * 0.25f, in.line_h * 5));
    l.chain_folded = in.chain_open ? !*in.chain_open : body_h - open_h < in.detail_need;
    const float chain_h = l.chain_folded ? std::min(in.title_h, body_h * 0.5f) : open_h;
    l.detail = {ImVec2(nav_w, body_y), ImVec2(detail_w, body_h - chain_h)};
    l.chain = {ImVec2(nav_w, body_y + body_h - chain_h), ImVec2(detail_w, chain_h)};
  }
  l.single = {ImVec2(0, top), ImVec2(w, std::max(1.0f, in.display.y - top))};
  l.training = l.chain;
  if (l.chain_folded) l.training = {ImVec2(nav_w, body_y + body_h * 0.5f), ImVec2(detail_w, body_h * 0.5f)};
  return l;
}

Rect detail_and_chain(const Layout& l) {
  const ImVec2 max(std::max(l.detail.pos.x + l.detail.size.x, l.chain.pos.x + l.chain.size.x),
                   std::max(l.detail.pos.y + l.detail.size.y, l.chain.pos.y + l.chain.size.y));
  return {l.detail.pos, ImVec2(max.x - l.detail.pos.x, max.y - l.detail.pos.y)};
}

bool same_place(ImVec2 a, ImVec2 b) { return std::abs(a.x - b.x) < 1.5f && std::abs(a.y - b.y) < 1.5f; }

Place Tiling::begin_frame(const LayoutInput& in, bool fixed) {
  layout_ = compute_layout(in);
  const bool resized = display_.x > 0 && (display_.x != in.display.x || display_.y != in.display.y);
  // The first frame places new windows and notes where (Place::tiled with nothing placed before).
  const Place place = fixed || resized ? Place::all : display_.x == 0 ? Place::tiled : pending_;
  display_ = in.display;
  pending_ = layout_.chain_folded != placed_.chain_folded ? Place::tiled : Place::none;
  return place;
}

bool Tiling::begin(const char* title, Rect Layout::*rect, Place place, ImGuiWindowFlags flags,
                   std::optional<bool> folded) {
  const Rect& want = layout_.*rect;
  const ImGuiWindow* window = ImGui::FindWindowByName(title);
  const ImVec2 least = ImGui::GetStyle().WindowMinSize;  // ImGui's smallest window
  const auto at = [&](const Rect& r) {
    return same_place(window->Pos, r.pos) && same_place(window->SizeFull, ImMax(r.size, least));
  };
  const bool put = window && (place == Place::all || (place == Place::tiled && at(placed_.*rect)));
  if (window && !put && !at(want)) ImGui::SetNextWindowBgAlpha(1.0f);
  const ImGuiCond cond = put ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  ImGui::SetNextWindowPos(want.pos, cond);
  ImGui::SetNextWindowSize(want.size, cond);
  if (folded) ImGui::SetNextWindowCollapsed(*folded, cond);
  if (!folded) flags |= ImGuiWindowFlags_NoCollapse;
  placed_now_ = put || !window;
  return ImGui::Begin(title, nullptr, flags);
}

}  // namespace attnviz::views
