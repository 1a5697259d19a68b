#pragma once
// Lesson and weights files opened and saved from the window.  All-or-nothing: a file that
// cannot be used leaves the session as it was and puts the reason in app.file_message.
// Writes go through a temporary file and a rename (model/io).

#include "views/app_state.h"
#include "views/commands.h"
#include "views/lesson_loader.h"
#include "views/selection.h"
#include "views/training_runner.h"

#include <string>

namespace attnviz::views {

inline constexpr std::size_t max_recent_files = 8;

// Carries out one File command; true when it succeeded (the path then heads app.recent_files).
// `lesson_changed` is set when a new lesson replaced the session.  Open lesson only starts
// app.opening: the lesson that is open stays until follow_opening replaces it.
bool apply_file_action(AppState& app, Selection& selection, const FileAction& action, bool& lesson_changed);

// Once app.opening is done: its lesson replaces the session (true; its path heads
// app.recent_files), or its problem goes to app.file_message and nothing else changes.
bool follow_opening(AppState& app, Selection& selection);

// Replaces the session, lesson and selection by `loaded`, at the lesson's opening step.
void install_lesson(AppState& app, Selection& selection, LoadedLesson loaded);

// Where the session's weights come from, in the interface language (the model's own words for
// its seed's initial weights or the fixed matrices of worked example A, translated).
std::string weights_in_words(const Session& session);

// The weights the lesson opens with, for the training panel's Reset: its weights file read
// again, or (without one) the session seed's initial weights.
LessonWeights lesson_weights(const AppState& app);

// The lesson as it stands in the window: its sentences and config as edited.
Lesson current_lesson(const AppState& app);

}  // namespace attnviz::views
