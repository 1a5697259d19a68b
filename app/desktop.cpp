#include "app/desktop.h"

#include "app/last_session.h"
#include "model/error.h"
#include "model/io/files.h"
#include "model/op_table.h"
#include "model/quote.h"
#include "model/translatable.h"
#include "views/file_actions.h"
#include "views/i18n.h"

#include <imgui.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <utility>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include <malloc.h>

namespace attnviz::app {

std::string shown_text(const Session& session) {
  std::string text = session.src_text() + session.tgt_text();
  for (const std::string& w : session.preset().src_vocab.words()) text += w;
  for (const std::string& w : session.preset().tgt_vocab.words()) text += w;
  const Trace& trace = session.trace();
  for (int i = 0; i < trace.step_count(); ++i) {
    const Step& step = trace.step(i);
    text += step.formula;
    if (i == 0 || step.op != trace.step(i - 1).op) text += describe(step.op, step.phase);
  }
  return text;
}

Desktop::Desktop(Session session, const DesktopOptions& o)
    : window_(o.window), app_(std::move(session)), persist_(o.persist) {
  app_.textures = &textures_;
  if (o.page) ui_.show(*o.page);  // in the overview, before the view is set
  if (o.gradlab_open) ui_.show(views::PanelId::gradlab_scalar);
  ui_.view = o.view;
  ui_.fixed_layout = !o.persist;
  ui_.wait_for_results = o.wait_for_results;
  if (persist_ && !config_dir().empty()) {
    settings_file_ = config_dir() / "settings.json";
    layout_file_ = config_dir() / "layout.ini";
    std::string problem;
    const Settings s = load_settings(settings_file_, problem);
    app_.ui_scale = s.ui_scale;
    app_.theme = s.theme;
    app_.play_speed = s.play_speed;
    app_.language = s.language;
    app_.notice = problem;
    recent_file_ = config_dir() / "recent-files.txt";
    const std::string recent = read_file(recent_file_);
    for (std::size_t start = 0; start < recent.size();) {
      const std::size_t end = std::min(recent.find('\n', start), recent.size());
      if (end > start && app_.recent_files.size() < views::max_recent_files)
        app_.recent_files.push_back(recent.substr(start, end - start));
      start = end + 1;
    }
    const std::string layout = read_file(layout_file_);
    if (!layout.empty()) ImGui::LoadIniSettingsFromMemory(layout.data(), layout.size());
  }
  if (o.theme) app_.theme = *o.theme;
  if (o.ui_scale) app_.ui_scale = std::clamp(*o.ui_scale, views::min_ui_scale, views::max_ui_scale);
  if (o.language) app_.language = *o.language;
  show_language();
  fonts_.add_text(shown_text(app_.session));
  // Every translation's glyphs, whichever language is shown: a switch needs no new atlas.
  fonts_.add_text(views::catalogue_text(Language::ko));
  rebuild_fonts();
  views::apply_style(app_.theme, app_.ui_scale);
  views::go_to_step(app_, selection_, 0);
  app_.lesson = o.lesson;
  app_.lesson_path = o.lesson_path;
  app_.reference = o.reference;
  if (app_.lesson && o.open_lesson_panel) {
    views::go_to_step(app_, selection_, app_.lesson->step);
    ui_.open_lesson_panel(app_, selection_);
  }
  open_lesson_panel_ = o.open_lesson_panel;
  show_lesson();
  start_trainer();
}

Desktop::Desktop(std::unique_ptr<views::LessonLoader> opening, const DesktopOptions& o)
    : Desktop(Session(make_preset("lesson")), o) {
  app_.stand_in = true;
  app_.opening = std::move(opening);
}

void Desktop::show_language() {
  if (views::set_interface_language(app_.language)) return;
  if (!app_.notice.empty()) app_.notice += ' ';
  app_.notice += views::formatted(views::tr("No Korean translations: %s is missing (rebuild attnviz)."),
                                  views::catalogue_file(Language::ko).c_str());
}

Language start_language(std::optional<Language> asked, bool persist) {
  views::init_translations();
  Language language = Language::en;
  if (asked)
    language = *asked;
  else if (persist && !config_dir().empty()) {
    std::string problem;
    language = load_settings(config_dir() / "settings.json", problem).language;
  }
  views::set_interface_language(language);
  return language;
}

void Desktop::show_lesson() {
  window_.set_title(views::window_title(app_));
  if (!app_.lesson) return;
  const Lesson& l = *app_.lesson;
  std::string text = l.title.en + l.title.ko + l.description.en + l.description.ko;
  for (const TourStop& stop : app_.lesson->tour) text += stop.title.en + stop.title.ko + stop.note.en + stop.note.ko;
  if (const views::TourAway* away = app_.tour_away ? &*app_.tour_away : nullptr)  // the stop shown from another lesson
    text += away->where.title.en + away->where.title.ko + away->where.note.en + away->where.note.ko;
  if (fonts_.add_text(text)) rebuild_fonts();
}

void Desktop::start_trainer() {
  runner_.reset();
  training_clock_ = 0;
  views::TrainingStatus& t = app_.training;
  t = views::TrainingStatus{};
  if (!app_.lesson) {
    t.message = N_("no lesson (a preset has no task to train on)");
    return;
  }
  try {
    runner_ = std::make_unique<views::TrainingRunner>(*app_.lesson, true, views::lesson_weights(app_));
    t.available = true;
    t.planned_steps = app_.lesson->training.steps;
    t.position_names = app_.lesson->task.position_names;
    t.learning_rate = runner_->learning_rate();
    t.start_words = runner_->start_words();
    t.shown_version = runner_->version();  // the session keeps the lesson's weights until training starts
  } catch (const InputError& e) {
    t.message = views::error_in_words(e);
  } catch (const std::exception& e) {
    t.message = e.what();
  }
}

void Desktop::save_recent_files() {
  if (recent_file_.empty()) return;
  std::string text;
  for (const std::string& path : app_.recent_files) text += path + "\n";
  try {
    write_config_file(recent_file_, text);
  } catch (const std::exception& e) {
    app_.notice = e.what();
  }
}

void Desktop::run_training(bool running) {
  if (runner_) runner_->run(running);
}

void Desktop::train_and_wait(int steps) {
  if (!runner_) return;
  const int target = runner_->steps_done() + steps;
  for (int i = 0; i < steps; ++i) runner_->step_once();
  while (runner_->steps_done() < target) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  show_trained_weights();
}

// Until the session shows the trainer's newest weights (their run is made on its thread).
void Desktop::show_trained_weights() {
  for (;;) {
    views::follow_training(app_, selection_, *runner_, training_clock_, 0, 0);
    if (app_.training.shown_version == runner_->version() && !runner_->run_requested()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void Desktop::positional_experiment_and_wait() {
  if (!runner_) return;
  runner_->start_positional_experiment();
  while (runner_->experiment_running()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  show_trained_weights();
}

void Desktop::follow_training(double seconds) {
  if (runner_) views::follow_training(app_, selection_, *runner_, training_clock_, seconds);
}

Desktop::~Desktop() {
  if (persist_) save_layout();
  if (persist_ && !app_.lesson_path.empty() && !config_dir().empty()) {
    try {
      const std::filesystem::path path = std::filesystem::absolute(app_.lesson_path);
      save_last_session(config_dir() / "session.json",
                        LastSession{path.string(), app_.session.src_text(), app_.session.tgt_text(), selection_.step,
                                    static_cast<int>(selection_.token.side), selection_.token.index});
    } catch (const std::exception&) {}
  }
  textures_.clear();
}

void Desktop::rebuild_fonts() {
  const std::string notice = fonts_.build(base_font_pixels * app_.ui_scale);
  if (!notice.empty()) app_.notice = notice;
  window_.reload_font_texture();
}

void Desktop::save_layout() {
  if (layout_file_.empty()) return;
  std::size_t size = 0;
  const char* text = ImGui::SaveIniSettingsToMemory(&size);
  try {
    write_config_file(layout_file_, std::string_view(text, size));
  } catch (const std::exception& e) {
    app_.notice = e.what();
  }
}

void Desktop::save_settings() {
  if (settings_file_.empty()) return;
  try {
    app::save_settings(settings_file_, Settings{app_.ui_scale, app_.theme, app_.play_speed, app_.language});
  } catch (const std::exception& e) {
    app_.notice = e.what();
  }
}

void write_png(const std::string& path, const Image& image) {
  std::string bytes;
  const auto append = [](void* to, void* data, int size) {
    static_cast<std::string*>(to)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
  };
  if (image.width <= 0 || image.height <= 0 ||
      !stbi_write_png_to_func(append, &bytes, image.width, image.height, 4, image.rgba.data(), image.width * 4))
    throw InputError(N_("%s: the picture could not be encoded as PNG"), {path});
  io::write_file_atomically(path, bytes);
}

// A figure's picture asked for last frame: its canvas, for the figure to draw on this frame.
void Desktop::prepare_picture() {
  if (!picture_ || picture_->window) return;
  canvas_ = std::make_unique<GlPictureCanvas>(fonts_, base_font_pixels * app_.ui_scale, app_.theme, app_.ui_scale);
  app_.picture = picture_;
  app_.canvas = canvas_.get();
}

// After this frame rendered: the window's pixels or the figure's canvas written, or why not.
void Desktop::finish_picture() {
  if (!picture_) return;
  const views::SavePicture picture = *std::exchange(picture_, std::nullopt);
  const std::unique_ptr<GlPictureCanvas> canvas = std::move(canvas_);
  app_.picture.reset();
  app_.canvas = nullptr;
  Image image;
  ImVec2 on_screen = ImGui::GetIO().DisplaySize;
  if (picture.window) {
    image = window_.read_pixels();
  } else if (canvas && canvas->drawn) {
    image = canvas->image();
    on_screen = canvas->on_screen;
  }
  try {
    if (image.rgba.empty())
      throw picture.window ? InputError(N_("The window could not be read: nothing was saved."), {})
                           : InputError(N_("The figure \"%s\" is not in view: nothing was saved."), {picture.name});
    write_png(picture.path, image);
  } catch (const InputError& e) {
    app_.file_message = printable(views::error_in_words(e), 600);
    app_.file_message_english = printable(e.what(), 600);
    return;
  } catch (const std::exception& e) {
    app_.file_message = printable(e.what(), 600);
    app_.file_message_english = app_.file_message;
    return;
  }
  app_.file_message.clear();
  app_.file_message_english.clear();
  app_.notice = views::formatted(views::tr("Saved %s (%d × %d px)"), printable(picture.path, 200).c_str(), image.width,
                                 image.height);
  last_picture_ = PictureWritten{picture.path, image.width, image.height, on_screen};
}

// The back buffer still holds this frame: crop the rectangle and write it next to the others.
void Desktop::save_image(const views::SaveImage& request) {
  const Image frame = window_.read_pixels();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float sx = display.x > 0 ? static_cast<float>(frame.width) / display.x : 1;
  const float sy = display.y > 0 ? static_cast<float>(frame.height) / display.y : 1;
  const int x0 = std::clamp(static_cast<int>(request.min.x * sx), 0, frame.width);
  const int y0 = std::clamp(static_cast<int>(request.min.y * sy), 0, frame.height);
  const int x1 = std::clamp(static_cast<int>(request.max.x * sx), x0, frame.width);
  const int y1 = std::clamp(static_cast<int>(request.max.y * sy), y0, frame.height);
  if (x1 <= x0 || y1 <= y0) return;
  std::vector<unsigned char> crop(static_cast<std::size_t>(x1 - x0) * static_cast<std::size_t>(y1 - y0) * 4);
  for (int y = y0; y < y1; ++y)
    std::memcpy(&crop[static_cast<std::size_t>(y - y0) * static_cast<std::size_t>(x1 - x0) * 4],
                &frame.rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(frame.width) +
                             static_cast<std::size_t>(x0)) *
                            4],
                static_cast<std::size_t>(x1 - x0) * 4);
  std::filesystem::path path;
  for (int n = 1; n < 10000; ++n) {
    path = std::filesystem::current_path() / (request.name + "-" + std::to_string(n) + ".png");
    if (!std::filesystem::exists(path)) break;
  }
  try {
    write_png(path.string(), Image{x1 - x0, y1 - y0, std::move(crop)});
    app_.notice = views::formatted(views::tr("saved %s"), path.string().c_str());
  } catch (const std::exception& e) {
    app_.notice = printable(e.what(), 300);
  }
}

void Desktop::frame(double seconds) {
  window_.poll_events();
  prepare_picture();
  window_.new_frame();
  ui_.begin_frame(selection_);
  views::advance_playback(app_, selection_, seconds);
  ui_.draw(app_, selection_, commands_);
  const ImVec4 bg = ImGui::ColorConvertU32ToFloat4(views::palette(app_.theme).panel);
  const float background[4] = {bg.x, bg.y, bg.z, 1};
  window_.render(background);
  finish_picture();
  textures_.end_frame();

  const bool starting = app_.stand_in;
  const views::Effects effects = views::apply_commands(commands_, app_, selection_);
  if (app_.stand_in && !app_.opening) throw std::runtime_error(app_.file_message_english);
  for (const views::SaveImage& image : effects.images) save_image(image);
  if (effects.picture) picture_ = std::move(effects.picture);
  if (effects.quit) window_.request_close();
  if (runner_)
    for (const views::Command& command : effects.training) views::apply_training_command(*runner_, command);
  if (effects.lesson_changed) {  // the tour's stop set by apply_commands
    if (app_.lesson && (!starting || open_lesson_panel_)) ui_.open_lesson_panel(app_, selection_);
    start_trainer();
    malloc_trim(0);  // the last lesson's model, trace and trainer back to the system
    fonts_.add_text(shown_text(app_.session));
    rebuild_fonts();
    show_lesson();
  }
  if (persist_ && effects.recent_changed) save_recent_files();
  if (effects.show) ui_.show(*effects.show);
  if (effects.presenter_changed) window_.set_full_screen(app_.presenter);
  follow_training(seconds);
  // A new text size changes every panel's needs (the controls' height first): tile again.
  if (effects.reset_layout || effects.rebuild_fonts) ui_.reset_layout();
  const bool new_glyphs = !effects.glyph_text.empty() && fonts_.add_text(effects.glyph_text);
  if (effects.rebuild_fonts || new_glyphs) rebuild_fonts();
  if (effects.restyle) views::apply_style(app_.theme, app_.ui_scale);
  if (effects.settings_changed) window_.set_title(views::window_title(app_));  // the lesson's title in the language
  if (persist_ && effects.settings_changed) save_settings();
  ImGuiIO& io = ImGui::GetIO();
  if (persist_ && io.WantSaveIniSettings) {
    save_layout();
    io.WantSaveIniSettings = false;
  }
}

}  // namespace attnviz::app
