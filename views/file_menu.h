#pragma once
// The File menu: open a lesson or weights, save weights or the lesson, save the window as PNG,
// recent files.  A path is
// typed in a small dialog (no native file dialogs); the app opens or writes the file between
// frames (FileAction) and a problem shows under the menu bar.

#include "views/app_state.h"
#include "views/commands.h"

#include <array>
#include <optional>

namespace attnviz::views {

struct FileMenu {
  // The items, inside an open "File" menu.
  void items(const AppState& app, Commands& commands);
  // The path dialog and the last file problem; every frame, outside any menu, after the panels:
  // a figure's Save picture… (AskPicturePath) opens the dialog for its picture.
  void dialogs(const AppState& app, Commands& commands);

 private:
  void ask(FileAction::Kind kind, const std::string& initial);
  void ask_picture(const SavePicture& picture);
  void take_picture_questions(Commands& commands);
  const char* title() const;

  FileAction::Kind kind_ = FileAction::Kind::open_lesson;
  std::optional<SavePicture> picture_;  // the dialog asks where this picture goes (not kind_)
  bool open_ = false, opening_ = false;
  std::array<char, 1024> path_{};
};

}  // namespace attnviz::views
