#pragma once
// The window app: a Window, the fonts, the GL textures, the app state, the selection and the
// Ui; one frame at a time.  Used by the interactive window, `attnviz screenshot` and
// `attnviz bench frames`.

#include "app/fonts.h"
#include "app/gl_textures.h"
#include "app/picture_canvas.h"
#include "app/settings.h"
#include "app/window.h"
#include "views/app_state.h"
#include "views/commands.h"
#include "views/controller.h"
#include "views/selection.h"
#include "views/training_runner.h"
#include "views/training_panel.h"
#include "views/ui.h"

#include <filesystem>
#include <memory>
#include <optional>

namespace attnviz::app {

inline constexpr float base_font_pixels = 18;

struct DesktopOptions {
  WindowOptions window;
  views::PanelId view = views::PanelId::overview;  // the overview, or one panel alone
  std::optional<views::PanelId> page;              // the overview's centre tab to open
  bool gradlab_open = false;                       // the gradient lab window over the overview
  bool persist = true;                             // read and write settings and layout in the config directory
  std::optional<views::Theme> theme;               // overrides the stored one
  std::optional<float> ui_scale;                   // overrides the stored one
  std::optional<Language> language;                // overrides the stored one (--lang)
  std::optional<Lesson> lesson;                    // the lesson the training panel trains; none: no training
  std::string lesson_path;                         // its file (File menu: the folder it offers, Save lesson)
  std::optional<ReferenceCheck> reference;         // the lesson's reference, checked (shown under its title)
  bool open_lesson_panel = false;                  // start on the lesson's panel and step (the window, not screenshots)
  bool wait_for_results = false;  // every frame complete, long work done on the window's thread (screenshots)
};

class Desktop {
 public:
  Desktop(Session session, const DesktopOptions& options);
  // The window at once, with the progress of `opening` until its lesson is ready (ready()).
  // A lesson that cannot be opened ends frame() with its error.
  Desktop(std::unique_ptr<views::LessonLoader> opening, const DesktopOptions& options);
  ~Desktop();

  bool ready() const { return !app_.stand_in; }

  // Polls input, draws every panel, renders; applies the commands the views pushed.
  // `seconds` since the previous frame drives playback.
  void frame(double seconds);
  void swap() { window_.swap(); }
  void finish() { window_.finish(); }
  bool should_close() const { return window_.should_close(); }
  void wait_events(double timeout) { window_.wait_events(timeout); }
  Image read_pixels() const { return window_.read_pixels(); }
  // The last picture written (Save picture…, Save window as PNG…): its size and the figure's on
  // screen (the window's own size for the window).
  struct PictureWritten {
    std::string path;
    int width = 0, height = 0;
    ImVec2 on_screen;
  };
  const std::optional<PictureWritten>& last_picture() const { return last_picture_; }

  views::AppState& state() { return app_; }
  views::Selection& selection() { return selection_; }
  void go_to_step(int step) { views::go_to_step(app_, selection_, step); }
  void show_training(bool shown) { shown ? ui_.show(views::PanelId::training) : ui_.hide(views::PanelId::training); }
  void show_page(views::PanelId page) { ui_.show(page); }
  // The step detail scrolled to LayerNorm or BatchNorm? when it is next drawn.
  void scroll_to_norm_compare() {
    ui_.panel<views::StepDetailPanel>(views::PanelId::detail).norm_compare().scroll_to();
  }
  void push_command(views::Command command) { commands_.push(std::move(command)); }
  // Stop `index` (from 0) of the lesson's tour, with the Tour panel shown (applied next frame).
  void go_to_tour_stop(int index) {
    commands_.push(views::GoToTourStop{index});
    ui_.show(views::PanelId::tour);
  }
  // File ▸ Open lesson: starts opening `path`; state().opening until it is ready.
  void open_lesson(const std::string& path) {
    commands_.push(views::FileAction{views::FileAction::Kind::open_lesson, path});
  }
  // Starts or pauses background training (no-op when the lesson cannot be trained).
  void run_training(bool running);
  // Trains `steps` more steps in the background, waits for them, and hands the weights over.
  void train_and_wait(int steps);
  // Runs the positional-encoding experiment in the background and waits for it.
  void positional_experiment_and_wait();

 private:
  void rebuild_fonts();
  void save_layout();
  void save_settings();
  void save_image(const views::SaveImage& request);
  void prepare_picture();  // before the frame: the canvas for the picture asked for
  void finish_picture();   // after it rendered: the window or the figure written, or why not
  void follow_training(double seconds);
  void show_trained_weights();
  void start_trainer();  // a trainer for app_.lesson (none when there is no lesson)
  void save_recent_files();
  void show_lesson();
  void
  show_language();  // the interface in app_.language; a notice when its catalogue is missing  // the lesson's title on the window, its words in the font atlas

  Window window_;
  Fonts fonts_;
  GlTextureCache textures_;
  views::AppState app_;
  views::Selection selection_;
  views::Ui ui_;
  views::Commands commands_;
  bool persist_;
  std::filesystem::path settings_file_, layout_file_, recent_file_;
  std::unique_ptr<views::TrainingRunner> runner_;  // last: its thread stops first
  double training_clock_ = 0;
  bool open_lesson_panel_ = false;
  std::optional<views::SavePicture> picture_;  // asked for last frame, drawn and written this frame
  std::unique_ptr<GlPictureCanvas> canvas_;    // the figure's, while picture_ is drawn
  std::optional<PictureWritten> last_picture_;
};

// Encodes `image` as PNG and writes it to `path` through a temporary file and a rename; throws
// InputError naming the path, and leaves what was at `path` as it was, when it cannot.
void write_png(const std::string& path, const Image& image);

// The interface language a window starts in: `asked` (--lang), else the stored setting; made the
// language of views::tr() at once, so that what is built before the first frame is in it.
Language start_language(std::optional<Language> asked, bool persist);

// Every string the views may show for this session: words, sentences, formulas, descriptions.
std::string shown_text(const Session& session);

}  // namespace attnviz::app
