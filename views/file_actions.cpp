#include "views/file_actions.h"

#include "model/error.h"
#include "model/io/lesson_file.h"
#include "model/io/safetensors.h"
#include "model/quote.h"
#include "model/translatable.h"
#include "views/controller.h"
#include "views/i18n.h"

#include <algorithm>
#include <filesystem>
#include <exception>
#include <new>

namespace attnviz::views {
namespace {

void remember(AppState& app, const std::string& path) {
  std::vector<std::string>& recent = app.recent_files;
  recent.erase(std::remove(recent.begin(), recent.end(), path), recent.end());
  recent.insert(recent.begin(), path);
  if (recent.size() > max_recent_files) recent.resize(max_recent_files);
}

// The reason a file could not be used: in the window's language in app.file_message, in English
// (the terminal's) in app.file_message_english.
void tell_problem(AppState& app, const InputError& problem) {
  app.file_message = printable(error_in_words(problem), 600);
  app.file_message_english = printable(problem.what(), 600);
}

void tell_problem(AppState& app, const char* sentence) { tell_problem(app, InputError(sentence, {})); }

void clear_problem(AppState& app) {
  app.file_message.clear();
  app.file_message_english.clear();
}

void open_lesson(AppState& app, const std::string& path) {
  if (app.opening) throw InputError(formatted(tr("still opening %s: wait for it"), app.opening->what().c_str()));
  const std::string name = std::filesystem::path(path).filename().string();
  app.opening = std::make_unique<LessonLoader>(
      name, [path](LoadProgress& progress) { return read_lesson_session(path, progress); });
}

void open_weights(AppState& app, Selection& selection, const std::string& path) {
  Parameters loaded = app.session.model().params();
  io::read_weights(path, loaded, app.lesson ? app.lesson->weight_names : std::map<std::string, std::string>{});
  Parameters& params = app.session.model().params();
  for (int i = 0; i < params.size(); ++i) params[i].value = loaded[i].value;
  app.session.set_weights_origin(
      formatted(tr("weights from %s"), std::filesystem::path(path).filename().string().c_str()));
  const int step = selection.step;
  app.session.rerun();
  app.on_new_trace();
  go_to_step(app, selection, step);
}

}  // namespace

std::string weights_in_words(const Session& session) {
  if (session.weights_origin() == seed_words(session.seed()))
    return formatted(tr("seed %llu's initial weights"), static_cast<unsigned long long>(session.seed()));
  return tr(session.weights_origin());
}

LessonWeights lesson_weights(const AppState& app) {
  const std::uint64_t seed = app.session.seed();
  if (!app.lesson || app.lesson->weights.empty())
    return {formatted(tr("seed %llu's initial weights"), static_cast<unsigned long long>(seed)),
            [seed](Parameters& p) { p.initialise(seed); }};
  const Lesson& lesson = *app.lesson;
  return {formatted(tr("the lesson's trained weights (%s)"),
                    std::filesystem::path(lesson.weights).filename().string().c_str()),
          [path = app.lesson_path, lesson](Parameters& p) { io::read_lesson_weights(path, lesson, p); }};
}

Lesson current_lesson(const AppState& app) {
  Lesson lesson = app.lesson.value_or(Lesson{});
  const SentencePair example{app.session.src_text(), app.session.tgt_text()};
  // The reference is the trained model's answer on the lesson's example and config only.
  if (!(lesson.example == example) || !(lesson.config == app.session.config())) lesson.reference.reset();
  lesson.config = app.session.config();
  lesson.example = example;
  return lesson;
}

bool apply_file_action(AppState& app, Selection& selection, const FileAction& action, bool& lesson_changed) {
  if (action.path.empty()) {
    tell_problem(app, N_("No file name given."));
    return false;
  }
  try {
    switch (action.kind) {
      case FileAction::Kind::open_lesson:
        open_lesson(app, action.path);
        clear_problem(app);
        return false;  // follow_opening finishes it
      case FileAction::Kind::open_weights: open_weights(app, selection, action.path); break;
      case FileAction::Kind::save_weights:
        io::write_weights(action.path, app.session.model().params(), io::DType::f64);
        break;
      case FileAction::Kind::save_lesson:
        if (!app.lesson) throw InputError(tr("this session was not opened from a lesson: there is no task to save"));
        io::write_lesson_file(action.path, current_lesson(app));
        break;
    }
  } catch (const std::bad_alloc&) {
    tell_problem(app, N_("Out of memory: nothing was changed."));
    return false;
  } catch (const InputError& e) {
    tell_problem(app, e);
    return false;
  } catch (const std::exception& e) {
    tell_problem(app, InputError(e.what()));
    return false;
  }
  clear_problem(app);
  remember(app, action.path);
  return true;
}

void install_lesson(AppState& app, Selection& selection, LoadedLesson loaded) {
  app.session = std::move(loaded.session);
  app.lesson = std::move(loaded.lesson);
  app.lesson_path = std::move(loaded.path);
  app.reference = std::move(loaded.reference);
  app.training = TrainingStatus{};
  app.sentence_message.clear();
  app.stand_in = false;
  app.on_new_trace();
  selection = Selection{};
  go_to_step(app, selection, app.lesson ? app.lesson->step : 0);
}

bool follow_opening(AppState& app, Selection& selection) {
  if (!app.opening || !app.opening->done()) return false;
  const std::unique_ptr<LessonLoader> opening = std::move(app.opening);
  try {
    LoadedLesson loaded = opening->take();
    const std::string path = loaded.path;
    install_lesson(app, selection, std::move(loaded));
    clear_problem(app);
    remember(app, path);
    return true;
  } catch (const std::bad_alloc&) {
    tell_problem(app, N_("Out of memory: nothing was changed."));
  } catch (const InputError& e) {
    tell_problem(app, e);
  } catch (const std::exception& e) {
    tell_problem(app, InputError(e.what()));
  }
  return false;
}

}  // namespace attnviz::views
