#pragma once
// The whole window: the menu bar, the controls with the sentence bar, then the overview's tiling
// (layout.h) — the navigator (left), the centre window (the step detail and its tabs), the step
// list and the chain rule — with the gradient lab and the training panel over it when shown; or
// one panel alone in the window (--view).  Every panel is made from the registry (panels.h).

#include "views/app_state.h"
#include "views/centre_tabs.h"
#include "views/commands.h"
#include "views/controls_bar.h"
#include "views/keys.h"
#include "views/layout.h"
#include "views/menu_bar.h"
#include "views/navigator_panel.h"
#include "views/panel.h"
#include "views/selection.h"
#include "views/step_detail_panel.h"

#include <array>
#include <optional>
#include <string>

namespace attnviz::views {

struct Ui {
  PanelId view = PanelId::overview;  // the overview, or one panel alone in the window
  KeyCodes keys;
  bool fixed_layout = false;      // place the windows every frame (screenshots, benchmarks)
  bool wait_for_results = false;  // panels compute on this thread, so one frame shows their results (screenshots)

  // Clears the hover (every frame, before any view draws).
  void begin_frame(Selection& selection) { selection.hover.clear(); }
  void draw(const AppState& app, Selection& selection, Commands& commands);
  void reset_layout() {
    tiling_.ask(Place::all);
    chain_open_.reset();
  }

  // Brings a panel forward: its centre tab, the gradient lab at its page, a floating panel, the
  // chain rule unfolded.  With one panel alone in the window, that panel takes the window.
  void show(PanelId id);
  // Closes the gradient lab (at one of its pages) or a floating panel; the others stay.
  void hide(PanelId id);
  bool shown(PanelId id) const;
  // Where the lesson opens (open.panel): that panel brought forward, and for a block
  // ("feed_forward") the cursor on its first step at or after the current one.
  void open_lesson_panel(const AppState& app, Selection& selection);

  template <class P>
  P& panel(PanelId id) {
    return panels_.get<P>(id);
  }
  template <class P>
  const P& panel(PanelId id) const {
    return panels_.get<P>(id);
  }
  const NavigatorPanel& navigator() const { return panel<NavigatorPanel>(PanelId::architecture); }
  const StepDetailPanel& detail() const { return panel<StepDetailPanel>(PanelId::detail); }

 private:
  // The gradient lab over the step detail and the chain rule this frame: placed there (on
  // opening or re-tiling), and covering them exactly (they are then not drawn).
  struct LabCover {
    bool opening = false, place = false, covering = false;
  };
  LabCover cover_with_lab(Place place);
  void overview(const AppState& app, Selection& selection, Commands& commands, Place place);
  void alone(const AppState& app, Selection& selection, Commands& commands);
  void chain_window(const AppState& app, Selection& selection, Commands& commands, Place place);
  void lab_window(const LabCover& cover, const AppState& app, Selection& selection, Commands& commands);
  void floating_windows(const AppState& app, Selection& selection, Commands& commands, Place place);
  void add_stop_here(const AppState& app, const Selection& selection, Commands& commands);
  void presenter(const AppState& app, Selection& selection, Commands& commands);
  void presenter_caption(const AppState& app, const TourStop* stop);

  PanelSet panels_;
  CentreTabs centre_;
  ControlsBar controls_;
  MenuBar menu_;
  Tiling tiling_;
  std::array<bool, panel_count> floating_{};  // the floating panels shown
  bool gradlab_open_ = false;                 // the gradient lab window, over the step detail and chain rule
  bool gradlab_was_open_ = false;             // last frame: opening the lab places it over the detail
  bool focus_gradlab_ = false;
  std::optional<PanelId> lab_open_;              // the lab's tab to bring forward on the next frame
  PanelId lab_shown_ = PanelId::gradlab_scalar;  // the lab's tab shown last frame
  bool chain_shown_folded_ = false;              // the chain rule's folding as last seen
  std::optional<bool> chain_open_;               // the user's choice of folding the chain rule (two columns)
};

// The window's title: "attnviz — " and the lesson's title, or "attnviz" without a lesson.
std::string window_title(const AppState& app);

}  // namespace attnviz::views
