#pragma once
// Where the overview's windows go.  Dear ImGui 1.86 has no docking, so the panels are plain
// windows placed from the display size; the user may move and resize them (the app persists
// that), and they are placed again when the display or the controls' height changes, or on
// Reset layout.

#include <imgui.h>

#include <cstdint>
#include <optional>

namespace attnviz::views {

// Where each window goes on a display below a menu bar, for text `font` pixels high with `line_h`
// per row of controls and `title_h` per title bar.  Wide displays (≥ 88 characters of the font per
// row) get three columns; narrower ones, or large text, two, with the chain rule under the step
// detail.  There, when the detail would be shorter than `detail_need` (its header and first
// heatmap) the chain rule folds to its title bar, unless `chain_open` says what the user chose.
struct LayoutInput {
  ImVec2 display{0, 0};
  float menu_h = 0, font = 18, line_h = 27, title_h = 0;
  float controls_h = 0;   // the height the controls and sentences ask for (0: an estimate)
  float detail_need = 0;  // 0: not known yet
  std::optional<bool> chain_open;
};
struct Rect {
  ImVec2 pos, size;
};
struct Layout {
  Rect controls, navigator, detail, steps, chain, single;
  Rect training;  // over the chain rule, when shown: the step detail stays in view
  bool three_columns = true;
  bool chain_folded = false;  // the chain rule is its title bar only, under the detail
};
Layout compute_layout(const LayoutInput& in);

// The rectangle the step detail and the chain rule tile together (the gradient lab covers it).
Rect detail_and_chain(const Layout& l);

// (ImGui rounds window positions and sizes to whole pixels.)
bool same_place(ImVec2 a, ImVec2 b);

// How windows are placed this frame: not at all, only those where the last layout put them
// (the user moved none of them), or all.
enum class Place : std::uint8_t { none, tiled, all };

// The layout of each frame and where the windows were last placed.
class Tiling {
 public:
  // This frame's layout; `fixed`: place every window every frame (screenshots, benchmarks).
  // The first frame places new windows, a new display size all of them.
  Place begin_frame(const LayoutInput& in, bool fixed);
  void end_frame(Place place) {
    if (place != Place::none) placed_ = layout_;
  }
  // Places the windows again on the next frame: all (Reset layout), or those still where they
  // were put (the controls changed height, the chain rule was folded or opened).
  void ask(Place place) { pending_ = place > pending_ ? place : pending_; }

  // Begins the window `title` at layout().*rect when `place` asks for it (Place::tiled: only if
  // it is where the last placing put it), or the first time (unless layout.ini says where),
  // otherwise where it is.  Windows draw no background where the layout tiles the screen (the app
  // clears to the panel colour); one the user moved or resized may overlap others and gets its
  // own.  `folded` (when placing): the window shows its title bar only.
  bool begin(const char* title, Rect Layout::*rect, Place place, ImGuiWindowFlags flags = 0,
             std::optional<bool> folded = std::nullopt);
  bool placed_last() const { return placed_now_; }  // the last begin() placed its window

  const Layout& layout() const { return layout_; }
  const Layout& placed() const { return placed_; }

 private:
  Layout layout_, placed_;  // this frame's layout, and the one windows were last placed at
  Place pending_ = Place::none;
  ImVec2 display_{0, 0};  // last frame's display size
  bool placed_now_ = false;
};

}  // namespace attnviz::views
