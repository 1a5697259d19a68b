#pragma once
// Applies the views' Commands to the app state and the selection, between frames.

#include "views/app_state.h"
#include "views/commands.h"
#include "views/panels.h"
#include "views/selection.h"

#include <optional>
#include <string>
#include <vector>

namespace attnviz::views {

// What the app itself must do after the commands were applied.
struct Effects {
  bool rebuild_fonts = false;     // UI scale changed, or new glyphs to show
  bool restyle = false;           // theme or UI scale changed
  bool settings_changed = false;  // worth saving
  bool reset_layout = false;
  bool quit = false;
  std::string glyph_text;              // text whose glyphs the font atlas must hold
  std::vector<SaveImage> images;       // parts of this frame to write as PNG files
  std::optional<SavePicture> picture;  // to draw on the next frame and write (figure.h)
  std::vector<Command> training;       // Train and SetLearningRate, for the app's trainer
  bool lesson_changed = false;         // a new lesson replaced the session: new trainer
  bool recent_changed = false;         // app.recent_files changed: worth saving
  std::optional<PanelId> show;         // a tour stop's panel, for the window to bring forward
  bool presenter_changed = false;      // full screen on or off
};

Effects apply_commands(Commands& commands, AppState& app, Selection& selection);

// Moves the cursor to `step` (clamped) and points the selection's block and head at it.
void go_to_step(const AppState& app, Selection& selection, int step);

// Playback: advances one step every 1 / play_speed seconds; stops at the last step.
void advance_playback(AppState& app, Selection& selection, double seconds);

}  // namespace attnviz::views
