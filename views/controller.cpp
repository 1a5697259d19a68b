#include "views/controller.h"

#include "model/error.h"
#include "views/file_actions.h"
#include "views/head_focus.h"
#include "views/i18n.h"

#include <algorithm>
#include <filesystem>
#include <type_traits>

namespace attnviz::views {

void AppState::on_new_trace() {
  index = TraceIndex(session.trace());
  ++generation;
  src_words = session.src_words();
  tgt_in_words = session.tgt_in_words();
  tgt_out_words = session.tgt_out_words();
}

int AppState::tour_length() const {
  if (tour_away && tour_away->arrived) return tour_away->stops;
  return lesson ? static_cast<int>(lesson->tour.size()) : 0;
}

const TourStop* AppState::shown_tour_stop() const {
  if (tour_away && tour_away->arrived) return tour_stop == tour_away->stop ? &tour_away->where : nullptr;
  if (!lesson || tour_stop < 0 || tour_stop >= static_cast<int>(lesson->tour.size())) return nullptr;
  return &lesson->tour[static_cast<std::size_t>(tour_stop)];
}

void go_to_step(const AppState& app, Selection& selection, int step) {
  const int count = app.session.trace().step_count();
  if (count == 0) return;
  step = std::clamp(step, 0, count - 1);
  if (step != selection.step) selection.element = ElementRef{};
  selection.step = step;
  selection.where = app.session.trace().step(step).where;
  selection.head = followed_head(app.session.config(), selection.where, selection.head);
}

namespace {

void apply_text_size(AppState& app, const TourStop& stop, Effects& effects) {
  if (stop.text_size <= 0) return;
  const float scale = std::clamp(static_cast<float>(stop.text_size) / 100, min_ui_scale, max_ui_scale);
  if (scale != app.ui_scale) {
    app.ui_scale = scale;
    effects.rebuild_fonts = effects.restyle = true;
  }
}

void show_stop_panel(AppState& app, const TourStop& stop, std::size_t index, Effects& effects) {
  try {
    effects.show = tour_panel(stop, index);
  } catch (const InputError& e) {
    app.notice = e.what();
  }
}

// Starts opening `path` as File ▸ Open lesson does; false (file_message says why) if it cannot.
bool start_opening(AppState& app, Selection& selection, const std::string& path) {
  bool changed = false;
  apply_file_action(app, selection, FileAction{FileAction::Kind::open_lesson, path}, changed);
  return app.file_message.empty();
}

// Stop `k` opens its lesson beside the tour's file; arrive_or_return finishes the trip.
void open_stop_lesson(AppState& app, Selection& selection, int k, Effects& effects) {
  const TourStop& stop = app.lesson->tour[static_cast<std::size_t>(k)];
  const std::string path = (std::filesystem::path(app.lesson_path).parent_path() / stop.lesson).string();
  if (!start_opening(app, selection, path)) return;
  app.tour_away = TourAway{app.lesson_path, k, static_cast<int>(app.lesson->tour.size()), stop};
  apply_text_size(app, stop, effects);
}

// Goes to stop `index` of the lesson's tour (clamped): its step, its selected element, its text
// size; its panel for the window to bring forward; or its lesson, opened.  A stop the model
// cannot show (checked when the lesson opened) moves nothing but the stop shown.  Away in a
// stop's lesson, the same stop shows its panel again and another reopens the tour's lesson.
void go_to_tour_stop(AppState& app, Selection& selection, int index, Effects& effects) {
  if (app.opening && app.tour_away) return;  // the tour is on its way to a lesson
  if (app.tour_away) {
    TourAway& away = *app.tour_away;
    const int k = std::clamp(index, 0, away.stops - 1);
    if (k == away.stop)
      show_stop_panel(app, away.where, static_cast<std::size_t>(k), effects);
    else if (start_opening(app, selection, away.home))
      away.back_to = k;
    return;
  }
  if (!app.lesson || app.lesson->tour.empty()) return;
  const std::vector<TourStop>& tour = app.lesson->tour;
  app.tour_stop = std::clamp(index, 0, static_cast<int>(tour.size()) - 1);
  const TourStop& stop = tour[static_cast<std::size_t>(app.tour_stop)];
  const auto k = static_cast<std::size_t>(app.tour_stop);
  if (!stop.lesson.empty()) return open_stop_lesson(app, selection, app.tour_stop, effects);
  try {
    if (const std::optional<int> step = tour_step(stop, k, app.session.trace())) {
      go_to_step(app, selection, *step);
      selection.element = ElementRef{};
      if (stop.select) {
        const bool forward = stop.phase == Phase::forward;
        selection.element = {*step, forward ? Slot::output : Slot::downstream, 0, (*stop.select)[0], (*stop.select)[1]};
      }
    }
    effects.show = tour_panel(stop, k);
  } catch (const InputError& e) {
    app.notice = e.what();
  }
  apply_text_size(app, stop, effects);
}

// A lesson replaced the session: the tour arrives in a stop's lesson, lands back in its own, or
// (a lesson opened by hand) ends.
void arrive_or_return(AppState& app, Selection& selection, Effects& effects) {
  app.tour_stop = -1;
  if (!app.tour_away) return;
  TourAway& away = *app.tour_away;
  if (!away.arrived) {
    away.arrived = true;
    app.tour_stop = away.stop;
    show_stop_panel(app, away.where, static_cast<std::size_t>(away.stop), effects);
  } else if (away.back_to >= 0) {
    const int stop = away.back_to;
    app.tour_away.reset();
    go_to_tour_stop(app, selection, stop, effects);
  } else {
    app.tour_away.reset();
  }
}

// An opening the tour began was refused (file_message says why): the tour stays where it was.
void stay_after_refusal(AppState& app) {
  if (!app.tour_away) return;
  if (app.tour_away->arrived)
    app.tour_away->back_to = -1;
  else
    app.tour_away.reset();
}

void set_sentences(AppState& app, Selection& selection, const SetSentences& command, int pad) {
  const Trace& trace = app.session.trace();
  const Step& current = trace.step(selection.step);
  const std::string label = current.label;
  const Phase phase = current.phase;
  try {
    app.session.set_sentences(command.source, command.target, pad);
  } catch (const InputError& error) {
    app.sentence_message = error_in_words(error);
    return;
  }
  app.sentence_message.clear();
  app.on_new_trace();
  const std::optional<int> same = app.session.trace().find_step(label, phase);
  selection.element = ElementRef{};
  selection.token = TokenRef{};
  go_to_step(app, selection, same.value_or(std::min(selection.step, app.session.trace().step_count() - 1)));
}

}  // namespace

namespace {

// Applies one command of each kind to the app state, noting in `effects` what the window must do.
struct Apply {
  AppState& app;
  Selection& selection;
  Effects& effects;

  void operator()(const GoToStep& c) { go_to_step(app, selection, c.step); }
  void operator()(const GoToElement& c) {
    go_to_step(app, selection, c.element.step);
    if (selection.step == c.element.step) selection.element = c.element;
  }
  void operator()(const SetSentences& c) {
    set_sentences(app, selection, c, app.session.pad());
    effects.glyph_text += c.source + c.target;
  }
  void operator()(const SetPadding& c) {
    set_sentences(app, selection, {app.session.src_text(), app.session.tgt_text()}, c.pad);
  }
  void operator()(const SetPlaying& c) {
    app.playing = c.playing;
    app.play_clock = 0;
  }
  void operator()(const SetPlaySpeed& c) {
    app.play_speed = std::clamp(c.steps_per_second, 0.25f, 60.0f);
    effects.settings_changed = true;
  }
  void operator()(const SetUiScale& c) {
    if (set_scale(std::clamp(c.scale, min_ui_scale, max_ui_scale))) effects.settings_changed = true;
  }
  void operator()(const SetTheme& c) {
    if (c.theme == app.theme) return;
    app.theme = c.theme;
    effects.restyle = effects.settings_changed = true;
  }
  void operator()(const ResetLayout&) { effects.reset_layout = effects.settings_changed = true; }
  void operator()(const ShowGlyphs& c) { effects.glyph_text += c.text; }
  void operator()(const SaveImage& c) { effects.images.push_back(c); }
  void operator()(SavePicture& c) { effects.picture = std::move(c); }
  void operator()(const AskPicturePath&) {}  // taken by the File menu's dialog in the frame that asked
  void operator()(const Quit&) { effects.quit = true; }
  void operator()(const Train& c) { effects.training.push_back(c); }
  void operator()(const SetLearningRate& c) { effects.training.push_back(c); }
  void operator()(const FileAction& c) {
    if (apply_file_action(app, selection, c, effects.lesson_changed)) effects.recent_changed = true;
    if (effects.lesson_changed) effects.glyph_text += c.path;
  }
  void operator()(const DismissFileMessage&) {
    app.file_message.clear();
    app.file_message_english.clear();
  }
  void operator()(const GoToTourStop& c) { go_to_tour_stop(app, selection, c.index, effects); }
  void operator()(const SetPresenter& c) {
    if (c.on == app.presenter) return;
    app.presenter = c.on;
    effects.presenter_changed = true;
    // 150 % for the back of the room (the stop's own size wins); 100 % when it ends
    set_scale(c.on ? 1.5f : 1.0f);
    if (c.on && app.tour_stop >= 0) go_to_tour_stop(app, selection, app.tour_stop, effects);
  }
  // One setting for the interface and the tour notes; from the next frame on.
  void operator()(const SetLanguage& c) {
    if (c.language == app.language) return;
    app.language = c.language;
    if (!set_interface_language(c.language))
      app.notice =
          formatted(tr("No Korean translations: %s is missing (rebuild attnviz)."), catalogue_file(c.language).c_str());
    app.index = TraceIndex(app.session.trace());  // its step list rows are words
    effects.settings_changed = true;
  }
  void operator()(SetTour& c) {
    if (!app.lesson) return;
    app.lesson->tour = std::move(c.tour);
    app.tour_stop = std::min(c.stop, static_cast<int>(app.lesson->tour.size()) - 1);
    for (const TourStop& s : app.lesson->tour) effects.glyph_text += s.title.ko + s.note.ko;
  }

  // A new text size: fonts built again and the style scaled.  Whether it changed.
  bool set_scale(float scale) {
    if (scale == app.ui_scale) return false;
    app.ui_scale = scale;
    effects.rebuild_fonts = effects.restyle = true;
    return true;
  }
};

}  // namespace

Effects apply_commands(Commands& commands, AppState& app, Selection& selection) {
  Effects effects;
  const bool was_opening = app.opening != nullptr;  // one begun by these commands ends on a later call
  for (Command& command : commands.list) std::visit(Apply{app, selection, effects}, command);
  commands.list.clear();
  if (was_opening && follow_opening(app, selection)) {
    effects.lesson_changed = effects.recent_changed = true;
    effects.glyph_text += app.lesson_path;
    arrive_or_return(app, selection, effects);
  } else if (was_opening && !app.opening) {
    stay_after_refusal(app);
  }
  return effects;
}

void advance_playback(AppState& app, Selection& selection, double seconds) {
  if (!app.playing) return;
  const int last = app.session.trace().step_count() - 1;
  app.play_clock += seconds;
  const double period = 1.0 / app.play_speed;
  while (app.play_clock >= period) {
    app.play_clock -= period;
    if (selection.step >= last) {
      app.playing = false;
      return;
    }
    go_to_step(app, selection, selection.step + 1);
  }
}

}  // namespace attnviz::views
