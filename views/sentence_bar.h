#pragma once
// Sentence bar: the source and target sentences, editable.  Enter re-runs forward and backward
// (the app keeps the cursor on the same step label when it still exists).  Unknown words are
// marked as you type; a refused edit shows the model's message and changes nothing.

#include "views/app_state.h"
#include "views/commands.h"
#include "views/selection.h"
#include "views/theme.h"

#include <string>

namespace attnviz::views {

struct SentenceBar {
  void draw(const AppState& app, Selection& selection, Commands& commands);

 private:
  void draw_edit_status(const AppState& app, const Palette& pal);

  std::string source_, target_;  // the text being edited
  std::uint64_t synced_generation_ = 0;
  std::string shown_glyphs_;             // the text last handed to ShowGlyphs
  std::string run_source_, run_target_;  // the sentences of the session's last run
  bool stale_target_ = false;            // that run changed the source but kept the target
};

}  // namespace attnviz::views
