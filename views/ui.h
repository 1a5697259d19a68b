#pragma once
// The whole window: a menu bar, the controls with the sentence bar on top, then the navigator
// (left), the step detail (middle), the step list and the chain rule (right).  Dear ImGui 1.86
// has no docking, so the panels are plain windows placed once from the display size; the user
// may move and resize them (the app persists that), and "Reset layout" places them again.
// Keys: ← → step, Shift+← → sublayer, Home End, Space play/pause, B twin, Ctrl + / Ctrl − text size
// (100, 125, 150, 175, 200 %), Ctrl 0 back to 100 %.

#include "views/app_state.h"
#include "views/chain_rule_panel.h"
#include "views/file_menu.h"
#include "views/commands.h"
#include "views/linked_panels.h"
#include "views/gradlab.h"
#include "views/navigator_panel.h"
#include "views/selection.h"
#include "views/sentence_bar.h"
#include "views/step_detail_panel.h"
#include "views/step_list_panel.h"
#include "views/training_panel.h"

#include <optional>
#include <string>
#include <string_view>

namespace attnviz::views {

// The first five are the overview and its panels; heads … output are the linked panels, which the
// overview shows as tabs of its centre window; then the gradient lab's pages and the training panel.
enum class View : std::uint8_t {
  overview, navigator, steps, detail, chain,
  heads, attention, mask, pe, output,
  gradlab_scalar, gradlab_depth, gradlab_transformer,
  training,
};
const char* to_string(View);
std::optional<View> view_from_string(std::string_view);

// Native key indices (into ImGuiIO::KeysDown) of the keys ImGui 1.86 has no ImGuiKey_ for.
// The defaults are GLFW's key codes: printable keys are their upper-case ASCII code.
struct KeyCodes {
  int b = 'B';
  int equal = '=', minus = '-', zero = '0';
  int keypad_add = 334, keypad_subtract = 333, keypad_0 = 320;
};

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

struct Ui {
  View view = View::overview;
  KeyCodes keys;
  bool fixed_layout = false;  // place the windows every frame (screenshots, benchmarks)
  bool wait_for_results = false;  // panels compute on this thread, so one frame shows their results (screenshots)
  std::optional<LinkedPage> open_page;  // the centre tab to bring forward on the next frame
  bool gradlab_open = false;  // the gradient lab window, over the step detail and chain rule
  bool show_training = false;  // the training panel over the overview (View menu)

  // Clears the hover (every frame, before any view draws).
  void begin_frame(Selection& selection) { selection.hover.clear(); }
  void draw(const AppState& app, Selection& selection, Commands& commands);
  void reset_layout() {
    pending_place_ = Place::all;
    chain_open_.reset();
  }
  // Brings forward the panel a lesson opens on (a name of lesson_panels(): "attention" and
  // "heads", "positional", "output" are centre tabs, "training" the training panel; the others
  // are in the overview as it is).
  void show_lesson_panel(std::string_view panel);
  LinkedPanels& linked() { return linked_; }
  const NavigatorPanel& navigator() const { return navigator_; }
  const StepDetailPanel& detail() const { return detail_; }

 private:
  void keyboard(const AppState& app, const Selection& selection, Commands& commands) const;
  void menu_bar(const AppState& app, const Selection& selection, Commands& commands);
  void controls(const AppState& app, Selection& selection, Commands& commands);
  void centre(const AppState& app, Selection& selection, Commands& commands);
  // How windows are placed this frame: not at all, only those where the last layout put them
  // (the user moved none of them), or all.
  enum class Place : std::uint8_t { none, tiled, all };
  bool begin_panel(const char* title, Rect Layout::*rect, Place place, ImGuiWindowFlags flags = 0,
                   std::optional<bool> folded = std::nullopt);
  void overview(const AppState& app, Selection& selection, Commands& commands, Place place);
  void chain_panel(const AppState& app, Selection& selection, Commands& commands, Place place);

  NavigatorPanel navigator_;
  StepListPanel steps_;
  StepDetailPanel detail_;
  ChainRulePanel chain_;
  LinkedPanels linked_;
  SentenceBar sentences_;
  GradLab gradlab_;
  TrainingPanel training_;
  FileMenu files_;
  Place pending_place_ = Place::none;  // asked for by Reset layout (all) or a change of heights (tiled)
  Layout layout_, placed_;  // this frame's layout, and the one windows were last placed at
  bool chain_shown_folded_ = false;  // the chain rule's folding as last seen
  bool placed_now_ = false;
  bool step_in_menu_ = false;  // the controls' row had no room for "Step N of 0–M  backward"  // the last begin_panel placed its window
  std::optional<bool> chain_open_;  // the user's choice of folding the chain rule (two columns)
  bool focus_gradlab_ = false;
  bool gradlab_was_open_ = false;  // last frame: opening the lab places it over the detail
  float controls_h_ = 0;  // the height the controls and sentences asked for last frame (0: not yet)
  float menu_h_ = 0;
  ImVec2 display_{0, 0};  // last frame's display size: the panels re-tile when it changes
};

// "Step 503 of 0–523  backward".
std::string step_in_words(const Trace& trace, int step);

// The window's title: "attnviz — " and the lesson's title, or "attnviz" without a lesson.
std::string window_title(const AppState& app);

// The step B jumps to: the twin of the current step, or of the nearest step that has one.
int twin_step(const Trace& trace, int step);

}  // namespace attnviz::views
