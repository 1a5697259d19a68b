#pragma once
// What views ask of the app.  Views never mutate the session: they push Commands, which the app
// applies after ImGui::Render(), so every panel of one frame draws the same state.

#include "model/tour.h"
#include "views/selection.h"
#include "views/theme.h"

#include <imgui.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace attnviz::views {

struct GoToStep {
  int step = 0;
};
// The step cursor to element.step, with that element selected (a chain-rule share, say).
struct GoToElement {
  ElementRef element;
};
// New sentence pair: re-runs forward + backward, or is refused with a message.
struct SetSentences {
  std::string source, target;
};
// The same sentences with `pad` padding tokens appended to each: re-runs, or is refused.
struct SetPadding {
  int pad = 0;
};
struct SetPlaying {
  bool playing = false;
};
struct SetPlaySpeed {
  float steps_per_second = 4;
};
struct SetUiScale {
  float scale = 1;
};
struct SetTheme {
  Theme theme = Theme::light;
};
struct ResetLayout {};
// Text about to be shown (an edited sentence): the app adds its glyphs to the font atlas.
struct ShowGlyphs {
  std::string text;
};
// Writes the rectangle [min, max) of this frame (display pixels) as `name`-N.png in the working
// directory; the app says where in the menu bar's notice.
struct SaveImage {
  ImVec2 min, max;
  std::string name;
};
// A PNG of the whole window (File ▸ Save window as PNG…) or of one figure alone at twice its
// size (a figure's Save picture…), written to `path` through a temporary file and a rename.
struct SavePicture {
  std::string path;
  bool window = false;  // the whole window; else the figure:
  ImGuiID figure = 0;   // its ImGui id, or 0: the first figure drawn named `name`
  std::string name;
};
// A figure's Save picture…: the File menu's dialog asks for the path, then pushes the SavePicture.
struct AskPicturePath {
  SavePicture picture;
};
struct Quit {};
// Training the lesson's model in the background (the app owns the trainer).  reset_lesson and
// reset_seed: step 0 on the lesson's weights or on the seed's initial weights; cancel abandons
// the step being computed and pauses.
struct Train {
  enum class Action : std::uint8_t {
    run,
    pause,
    step,
    reset_lesson,
    reset_seed,
    cancel,
    positional_experiment,
    cancel_experiment
  } action = Action::step;
};
struct SetLearningRate {
  double rate = 1e-3;
};
// File menu: a path typed in the window.
struct FileAction {
  enum class Kind : std::uint8_t { open_lesson, open_weights, save_weights, save_lesson } kind = Kind::open_lesson;
  std::string path;
};
struct DismissFileMessage {};
// The lesson's tour: go to stop `index` (its step, panel, selection and text size), or replace
// the tour by an edited one with `stop` shown.
struct GoToTourStop {
  int index = 0;
};
struct SetLanguage {
  Language language = Language::en;
};
// Presenter mode: full screen, menus hidden, the tour's panel large with its note as a caption.
struct SetPresenter {
  bool on = false;
};
struct SetTour {
  std::vector<TourStop> tour;
  int stop = -1;
};

using Command =
    std::variant<GoToStep, GoToElement, SetSentences, SetPadding, SetPlaying, SetPlaySpeed, SetUiScale, SetTheme,
                 ResetLayout, ShowGlyphs, SaveImage, SavePicture, AskPicturePath, Quit, Train, SetLearningRate,
                 FileAction, DismissFileMessage, GoToTourStop, SetTour, SetLanguage, SetPresenter>;

struct Commands {
  std::vector<Command> list;
  void push(Command command) { list.push_back(std::move(command)); }
  bool empty() const { return list.empty(); }
};

}  // namespace attnviz::views
