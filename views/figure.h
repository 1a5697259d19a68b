#pragma once
// Figures — heatmaps, plots, graphs, the architecture — as items with one right-click menu:
// "Save picture…" asks for a path (the File menu's dialog) and the next frame draws the figure
// once more, alone, with the text, spacing and sizes doubled, on a canvas of its own that the
// app writes as a PNG twice the figure's size on screen (not its pixels scaled up); a matrix
// adds "Copy as CSV".  A new figure gets the menu by being drawn through figure().

#include "model/tensor.h"
#include "views/app_state.h"
#include "views/commands.h"

#include <imgui.h>

#include <functional>
#include <span>
#include <string>

namespace attnviz::views {

inline constexpr float picture_scale = 2;

// Where a figure's picture is drawn: a Dear ImGui context of its own whose fonts and style are
// the window's at picture_scale × the text size.  The app renders it offscreen (app/picture_canvas).
class PictureCanvas {
 public:
  virtual ~PictureCanvas() = default;
  // Makes the canvas's context current and starts its frame, `display` pixels large.
  virtual void begin(ImVec2 display) = 0;
  // Ends that frame and keeps its rectangle [0, picture) as the picture; the context that was
  // current before begin() is current again.
  virtual void end(ImVec2 picture) = 0;

  bool drawn = false;  // a figure was drawn on it (one picture per canvas)
  ImVec2 on_screen;    // that figure's size in the window
};

// A figure's values, for "Copy as CSV" (matrix_csv).
struct FigureCsv {
  const Mat* values = nullptr;
  std::span<const std::string> row_labels, col_labels;
};

// Whether a picture asked for by `name` (attnviz screenshot --picture) means the figure `figure`:
// its name, or its file name without ".png" ("attention-weights").
bool names_figure(const std::string& name, const std::string& figure);

// The frame the figures are drawn in, like ImGui's current context: while one lives (Ui::draw
// makes one per frame), figure() draws the picture app.picture asks for and pushes Save
// picture… to `commands`.  Without one a figure offers Copy as CSV only.
class FigureFrame {
 public:
  FigureFrame(const AppState& app, Commands& commands);
  ~FigureFrame();
  FigureFrame(const FigureFrame&) = delete;
  FigureFrame& operator=(const FigureFrame&) = delete;

 private:
  FigureFrame* outer_;
  const AppState& app_;
  Commands& commands_;
  bool right_click_taken_ = false;  // by a figure's menu, or an item's inside one
  friend void figure(const std::string&, const std::function<void(float)>&, const FigureCsv&, const std::string&);
  friend void take_right_click();
  friend bool right_click_taken_this_frame();
};

// Draws `draw(scale)` at the cursor as one item (a group) named `name`, in English ("Attention
// weights": the file name offered, --picture NAME), with the right-click menu titled `title` (the
// interface language's; empty: tr(name)); when app.picture asks
// for this figure, draws it again on app.canvas with scale = picture_scale.  `draw` takes its
// width from ImGui::GetContentRegionAvail() or multiplies its fixed sizes by `scale`; on the
// canvas there is no mouse, so it draws no hover and takes no click.
void figure(const std::string& name, const std::function<void(float scale)>& draw, const FigureCsv& csv = {},
            const std::string& title = {});

// For an item inside a figure with a right-click menu of its own (one head of the heads' grid):
// call when its menu opens, and the figure around it leaves that right-click to it.
void take_right_click();
// Whether a figure (or an item in one) took this frame's right-click.
bool right_click_taken_this_frame();

// The file name offered for a figure: its name in lower case, words joined by '-', ".png";
// "figure.png" when no ASCII letter or digit is left.
std::string picture_file_name(const std::string& name);

}  // namespace attnviz::views
