#pragma once
// The File menu: open a lesson or weights, save weights or the lesson, recent files.  A path is
// typed in a small dialog (no native file dialogs); the app opens or writes the file between
// frames (FileAction) and a problem shows under the menu bar.

#include "views/app_state.h"
#include "views/commands.h"

#include <array>

namespace attnviz::views {

struct FileMenu {
  // The items, inside an open "File" menu.
  void items(const AppState& app, Commands& commands);
  // The path dialog and the last file problem; every frame, outside any menu.
  void dialogs(const AppState& app, Commands& commands);

 private:
  void ask(FileAction::Kind kind, const std::string& initial);

  FileAction::Kind kind_ = FileAction::Kind::open_lesson;
  bool open_ = false, opening_ = false;
  std::array<char, 1024> path_{};
};

}  // namespace attnviz::views
