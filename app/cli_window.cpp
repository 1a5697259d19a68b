// attnviz [session options]                 the window on the default lesson
// attnviz screenshot --out FILE.png …       one frame of the app written as a PNG
// attnviz bench frames [--frames N] …       frame times with every panel open

#include "app/commands.h"
#include "app/desktop.h"
#include "app/last_session.h"
#include "app/session_options.h"
#include "app/trace_print.h"
#include "model/error.h"
#include "model/translatable.h"
#include "views/controller.h"
#include "views/i18n.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>
#include <tuple>

namespace attnviz::app {
namespace {

using Clock = std::chrono::steady_clock;

// CPU time of every thread of this process so far, in ms.
double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}

// The lesson the training panel trains (with the --set overrides); none for a preset.
std::optional<Lesson> training_lesson(const SessionOptions& o) {
  if (!o.preset.empty()) return std::nullopt;
  Lesson lesson = load_lesson(o.lesson);
  apply_sets(lesson.config, o.sets);
  return lesson;
}

// The session of `o` built on a thread of its own, with the lesson the training panel trains.
std::unique_ptr<views::LessonLoader> open_session(const SessionOptions& o,
                                                  std::function<void(const Session&)> built = {}) {
  const std::string what =
      !o.preset.empty()
          ? "preset " + o.preset
          : std::filesystem::path(o.lesson.empty() ? default_lesson_path() : o.lesson).filename().string();
  return std::make_unique<views::LessonLoader>(what, [o, built](views::LoadProgress& progress) {
    progress.set(N_("building the model and its first forward + backward"));
    std::optional<ReferenceCheck> reference;
    Session session = make_session(o, &reference);
    if (built) built(session);
    std::optional<Lesson> lesson = training_lesson(o);
    const std::string path = lesson ? (o.lesson.empty() ? default_lesson_path() : o.lesson) : "";
    return views::LoadedLesson{std::move(session), std::move(lesson), path, std::move(reference)};
  });
}

// This process's resident memory now and at its peak, in MB (from /proc/self/status).
std::pair<double, double> resident_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  double now = 0, peak = 0;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) now = std::stod(line.substr(6)) / 1024;
    if (line.rfind("VmHWM:", 0) == 0) peak = std::stod(line.substr(6)) / 1024;
  }
  return {now, peak};
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// Exits with status 2 and names xvfb-run when there is no display.
void require_display() {
  if (const auto problem = Window::display_problem()) {
    std::cerr << *problem << "\n";
    throw CLI::RuntimeError(2);
  }
}

// "1600x900" → {1600, 900}; throws InputError.
std::pair<int, int> parse_size(const std::string& text) {
  int w = 0, h = 0;
  char x = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X') || w < 320 || h < 240 ||
      w > 8192 || h > 8192)
    throw InputError("--size " + text + ": expected WIDTHxHEIGHT between 320x240 and 8192x8192, e.g. 1600x900");
  return {w, h};
}

std::pair<int, int> parse_cell(const std::string& text) {
  int r = -1, c = -1;
  char comma = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &r, &comma, &c, &extra) != 3 || comma != ',' || r < 0 || c < 0)
    throw InputError("--select " + text + ": expected ROW,COL, e.g. 1,2");
  return {r, c};
}

// The matrix --select points into: a backward step's first gradient passed down, or a forward
// step's first output.
views::ElementRef element_at(const Trace& trace, int step, int row, int col) {
  const Step& s = trace.step(step);
  views::ElementRef e{step, views::Slot::output, 0, row, col};
  const Mat* m = &trace.value(s.outputs[0]);
  if (s.phase == Phase::backward) {
    e.slot = views::Slot::downstream;
    m = nullptr;
    for (std::size_t i = 0; i < s.inputs.size() && !m; ++i) {
      const Tensor& t = trace.tensor(s.inputs[i]);
      if (!t.requires_grad) continue;
      e.index = static_cast<int>(i);
      m = &trace.share(s, i);
    }
    if (!m) throw InputError("--select: step " + std::to_string(step) + " passes no gradient down");
  }
  if (row >= m->rows() || col >= m->cols())
    throw InputError("--select " + std::to_string(row) + "," + std::to_string(col) + ": the matrix is " +
                     std::to_string(m->rows()) + "×" + std::to_string(m->cols()));
  return e;
}

// Selects `element` as a click would: the element, and the token of its row.
void select(const Trace& trace, views::Selection& selection, const views::ElementRef& element) {
  selection.element = element;
  const Step& s = trace.step(element.step);
  const bool output = element.slot == views::Slot::output || element.slot == views::Slot::upstream;
  const TensorId id = (output ? s.outputs : s.inputs)[static_cast<std::size_t>(element.index)];
  const Axis rows = trace.tensor(id).rows;
  if (rows == Axis::src_tokens) selection.token = {views::TokenSide::source, element.row};
  if (rows == Axis::tgt_tokens) selection.token = {views::TokenSide::target, element.row};
}

// --view: the overview or one panel alone in the window.
views::PanelId view_named(const std::string& name) {
  const std::optional<views::PanelId> view = views::panel_named(name);
  if (!view) throw InputError("--view " + name + ": expected " + views::panel_names());
  return *view;
}

// --lang en|ko → the language (none when empty: the stored setting).
std::optional<Language> language_named(const std::string& code) {
  if (code.empty()) return std::nullopt;
  Language language = Language::en;
  if (!views::language_from_code(code, language)) throw InputError("--lang " + code + ": expected en or ko");
  return language;
}

// --page: the overview's centre tab of that name (none when empty).
std::optional<views::PanelId> page_named(const std::string& name) {
  if (name.empty()) return std::nullopt;
  const std::optional<views::PanelId> page = views::panel_named(name);
  if (!page || views::panel_info(*page).home != views::Home::centre_tab)
    throw InputError("--page " + name + ": expected " + views::panel_names(views::Home::centre_tab));
  return page;
}

const std::string view_help = "The overview or one panel alone: " + views::panel_names();
const std::string page_help = "With the overview: the centre tab " + views::panel_names(views::Home::centre_tab);

struct ScreenshotOptions {
  SessionOptions session;
  std::string out, view = "overview", page, step_label, select, size = "1600x900", theme = "light";
  int step = -1;
  int tour_stop = 0;  // from 1: that stop of the lesson's tour, with the Tour panel
  bool presenter = false;
  int train = 0;  // training steps before the frame (shows the training panel)
  bool positional_experiment = false;
  bool backward = false, lab = false;
  bool norm_compare = false;  // the step detail scrolled to LayerNorm or BatchNorm?
  std::string scale = "100%";
  std::string picture;  // a figure's Save picture… (by name), or "window": File ▸ Save window as PNG…
  std::string lang = "en";
};

// What the window's Save picture… (or Save window as PNG…) writes, to `path`: the figure named
// `name` alone at twice its size, or the window; throws the message the window would show, in English.
void save_picture(Desktop& desktop, const std::string& name, const std::string& path) {
  views::SavePicture picture;
  picture.path = path;
  picture.window = name == "window";
  picture.name = name;
  desktop.push_command(picture);
  for (int i = 0; i < 2; ++i) {  // the command applied, then the picture drawn and written
    desktop.frame(0);
    desktop.swap();
  }
  if (!desktop.state().file_message.empty()) throw InputError(desktop.state().file_message_english);
  const auto& written = desktop.last_picture();
  if (!written) throw InputError("--picture " + name + ": nothing was saved");
  std::cout << "wrote " << path << " (" << written->width << "×" << written->height << ", the picture of " << name
            << "; on screen " << std::lround(written->on_screen.x) << "×" << std::lround(written->on_screen.y) << ")\n";
}

// Draws frames until no lesson is opening (File ▸ Open lesson, a tour stop in another lesson);
// the file's refusal is thrown.
void draw_until_opened(Desktop& desktop) {
  desktop.frame(1.0 / 60);
  desktop.swap();
  while (desktop.state().opening) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    desktop.frame(1.0 / 60);
    desktop.swap();
  }
  if (!desktop.state().file_message.empty()) throw InputError(desktop.state().file_message_english);
}

// The step a screenshot shows: --step-label, else --step, else where the lesson opens.
int screenshot_step(const ScreenshotOptions& o, const Trace& trace, const std::optional<Lesson>& lesson) {
  if (!o.step_label.empty()) {
    const auto found = trace.find_step(o.step_label, o.backward ? Phase::backward : Phase::forward);
    if (!found) throw InputError("--step-label " + o.step_label + ": no such step (see attnviz trace --print)");
    return *found;
  }
  if (o.step >= 0) {
    if (o.step >= trace.step_count())
      throw InputError("--step " + std::to_string(o.step) + ": the trace has steps 0 to " +
                       std::to_string(trace.step_count() - 1));
    return o.step;
  }
  return lesson ? std::clamp(lesson->step, 0, trace.step_count() - 1) : 0;
}

// --tour-stop within the lesson's tour; --norm-compare on a forward LayerNorm step.
void check_screenshot_place(const ScreenshotOptions& o, const Trace& trace, int step,
                            const std::optional<Lesson>& lesson) {
  if (o.tour_stop > 0 && (!lesson || o.tour_stop > static_cast<int>(lesson->tour.size())))
    throw InputError("--tour-stop " + std::to_string(o.tour_stop) + ": the lesson's tour has " +
                     std::to_string(lesson ? lesson->tour.size() : 0) + " stops");
  if (o.norm_compare && (trace.step(step).op != OpKind::layer_norm || trace.step(step).phase != Phase::forward))
    throw InputError("--norm-compare: step " + std::to_string(step) +
                     " is not a forward LayerNorm step (e.g. --step-label encoder.0.norm1.layer_norm)");
}

DesktopOptions screenshot_window_options(const ScreenshotOptions& o, int w, int h) {
  const auto theme = views::theme_from_string(o.theme);
  if (!theme) throw InputError("--theme " + o.theme + ": expected light or dark");
  const std::optional<float> scale = views::parse_text_size(o.scale);
  if (!scale)
    throw InputError("--scale " + o.scale +
                     ": expected a text size such as 100%, 125%, 150%, 175%, 200% (60% to 300%)");
  DesktopOptions options;
  options.window = {w, h, true, "attnviz screenshot"};
  options.wait_for_results = true;
  options.gradlab_open = o.lab;
  options.persist = false;
  options.theme = *theme;
  options.ui_scale = *scale;
  return options;
}

// Brings the window where the options say: step, element, tour stop, presenter, training.
void place_screenshot(Desktop& desktop, const ScreenshotOptions& o, int step,
                      const std::optional<views::ElementRef>& element) {
  desktop.go_to_step(step);
  if (element) select(desktop.state().session.trace(), desktop.selection(), *element);
  if (o.norm_compare) desktop.scroll_to_norm_compare();
  if (o.tour_stop > 0) desktop.go_to_tour_stop(o.tour_stop - 1);
  if (o.presenter) desktop.push_command(views::SetPresenter{true});
  if (o.tour_stop > 0) draw_until_opened(desktop);  // a stop in another lesson opens it
  if (o.train > 0 || o.positional_experiment) desktop.show_training(true);
  if (o.train > 0) desktop.train_and_wait(o.train);
  if (o.positional_experiment) desktop.positional_experiment_and_wait();
}

void screenshot(const ScreenshotOptions& o) {
  const views::PanelId view = view_named(o.view);
  const std::optional<views::PanelId> page = page_named(o.page);
  const auto [w, h] = parse_size(o.size);
  DesktopOptions options = screenshot_window_options(o, w, h);
  options.view = view;
  options.page = page;
  options.language = start_language(language_named(o.lang), false);
  std::optional<ReferenceCheck> reference;
  Session session = make_session(o.session, &reference);
  std::optional<Lesson> lesson = training_lesson(o.session);
  const int step = screenshot_step(o, session.trace(), lesson);
  check_screenshot_place(o, session.trace(), step, lesson);
  std::optional<views::ElementRef> element;
  if (!o.select.empty()) {
    const auto [r, c] = parse_cell(o.select);
    element = element_at(session.trace(), step, r, c);
  }
  require_display();

  if (lesson)
    options.lesson_path =
        o.session.lesson.empty() ? default_lesson_path() : o.session.lesson;  // its tour's other lessons lie beside it
  options.lesson = std::move(lesson);
  options.reference = std::move(reference);
  Desktop desktop(std::move(session), options);
  place_screenshot(desktop, o, step, element);
  // New windows are hidden on their first frame; the third has settled scroll positions.
  for (int i = 0; i < 3; ++i) {
    desktop.frame(0);
    if (i < 2) desktop.swap();
  }
  if (!o.picture.empty()) {
    desktop.swap();
    save_picture(desktop, o.picture, o.out);
    return;
  }
  const Image image = desktop.read_pixels();
  if (!stbi_write_png(o.out.c_str(), image.width, image.height, 4, image.rgba.data(), image.width * 4))
    throw std::runtime_error("cannot write " + o.out);
  std::cout << "wrote " << o.out << " (" << image.width << "×" << image.height << ", " << o.view << ", step " << step
            << ")\n";
}

struct BenchFramesOptions {
  SessionOptions session;
  int frames = 300;
  std::string size = "1920x1080", view = "overview", page;
  bool json = false, lab = false;
  bool training = false;      // train in the background while timing, training panel shown
  bool switch_pages = false;  // bring the next centre tab forward every 10 frames
  std::string then_open;      // a lesson opened after the timed frames (File ▸ Open lesson)
};

// Opens `path` as File ▸ Open lesson does, drawing frames until it replaced the lesson; the
// resident memory after, in MB.
double open_and_measure(Desktop& desktop, const std::string& path) {
  desktop.open_lesson(path);
  draw_until_opened(desktop);
  for (int i = 0; i < 5; ++i) {
    desktop.frame(1.0 / 60);
    desktop.swap();
  }
  return resident_mb().first;
}

// A backward attention step with a chain rule selected: the heaviest frame of the default lesson.
int heavy_step(const Trace& trace) {
  for (int i = trace.forward_count(); i < trace.step_count(); ++i)
    if (trace.step(i).op == OpKind::softmax) return i;
  return trace.step_count() - 1;
}

// What bench frames measured.
struct FrameFigures {
  int width = 0, height = 0, step = 0;
  double first_frame_ms = 0, opening_max_ms = 0, ready_ms = 0;  // launch to first frame; while opening
  double median = 0, p95 = 0, max = 0, cpu_per_frame = 0;       // the timed frames, ms
  double rss_mb = 0, peak_mb = 0, after_open_mb = 0;
};

DesktopOptions bench_window_options(const BenchFramesOptions& o, int w, int h) {
  DesktopOptions options;
  options.window = {w, h, true, "attnviz bench"};
  options.view = view_named(o.view);
  options.page = page_named(o.page);
  options.gradlab_open = o.lab;
  options.persist = false;
  return options;
}

// Frames until the lesson, built on its thread as in the window, is ready; the slowest, in ms.
double frames_while_opening(Desktop& desktop) {
  double slowest = 0;
  while (!desktop.ready()) {
    const Clock::time_point t = Clock::now();
    desktop.frame(1.0 / 60);
    desktop.swap();
    desktop.finish();
    slowest = std::max(slowest, ms_since(t));
    if (!desktop.ready()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return slowest;
}

// `o.frames` frames after 20 unmeasured ones: median, p95, max and CPU time per frame.
void time_frames(Desktop& desktop, const BenchFramesOptions& o, FrameFigures& f) {
  const int warmup = 20;
  std::vector<views::PanelId> pages;
  for (const views::PanelInfo& panel : views::panel_table())
    if (panel.home == views::Home::centre_tab) pages.push_back(panel.id);
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(o.frames));
  double cpu_start = 0;
  for (int i = 0; i < warmup + o.frames; ++i) {
    if (i == warmup) cpu_start = process_cpu_ms();
    if (o.switch_pages && i >= warmup && (i - warmup) % 10 == 0)
      desktop.show_page(pages[static_cast<std::size_t>((i - warmup) / 10) % pages.size()]);
    const Clock::time_point t = Clock::now();
    desktop.frame(1.0 / 60);
    desktop.swap();
    desktop.finish();
    if (i >= warmup) times.push_back(ms_since(t));
  }
  f.cpu_per_frame = (process_cpu_ms() - cpu_start) / o.frames;
  std::sort(times.begin(), times.end());
  const auto at = [&](double q) { return times[static_cast<std::size_t>(q * static_cast<double>(times.size() - 1))]; };
  f.median = at(0.5);
  f.p95 = at(0.95);
  f.max = times.back();
}

void print_frames_json(const BenchFramesOptions& o, const FrameFigures& f, int training_steps) {
  const nlohmann::json j = {{"frames", o.frames},
                            {"width", f.width},
                            {"height", f.height},
                            {"view", o.view},
                            {"lab", o.lab},
                            {"step", f.step},
                            {"median_ms", f.median},
                            {"p95_ms", f.p95},
                            {"max_ms", f.max},
                            {"first_frame_ms", f.first_frame_ms},
                            {"opening_max_frame_ms", f.opening_max_ms},
                            {"ready_ms", f.ready_ms},
                            {"cpu_ms_per_frame", f.cpu_per_frame},
                            {"training", o.training},
                            {"training_steps", training_steps},
                            {"switch_pages", o.switch_pages},
                            {"resident_mb", f.rss_mb},
                            {"peak_resident_mb", f.peak_mb},
                            {"then_open", o.then_open},
                            {"resident_mb_after_open", f.after_open_mb}};
  std::cout << j.dump(2) << "\n";
}

void print_frames_text(const BenchFramesOptions& o, const FrameFigures& f, int training_steps) {
  std::printf("%d frames at %dx%d, step %d (backward, chain rule open), view %s%s%s%s\n", o.frames, f.width, f.height,
              f.step, o.view.c_str(), o.page.empty() ? "" : ", page ", o.page.c_str(),
              o.lab ? ", the gradient lab open" : "");
  if (o.training)
    std::printf("training in the background meanwhile: %d steps, weights handed over up to 4 times a second\n",
                training_steps);
  std::printf("median %.2f ms   p95 %.2f ms   max %.2f ms   launch to first frame %.0f ms\n", f.median, f.p95, f.max,
              f.first_frame_ms);
  std::printf("lesson ready %.0f ms after launch; the slowest frame while it opened %.1f ms\n", f.ready_ms,
              f.opening_max_ms);
  std::printf("CPU time per frame, all threads (the software renderer's included): %.2f ms\n", f.cpu_per_frame);
  std::printf("resident memory %.0f MB at the end, %.0f MB at the peak%s\n", f.rss_mb, f.peak_mb,
              o.switch_pages ? "; the centre tab changed every 10 frames" : "");
  if (!o.then_open.empty())
    std::printf("then %s opened from the File menu: resident memory %.0f MB\n", o.then_open.c_str(), f.after_open_mb);
}

void bench_frames(const BenchFramesOptions& o, Clock::time_point started) {
  if (o.frames < 10 || o.frames > 100000)
    throw InputError("--frames " + std::to_string(o.frames) + ": expected 10 to 100000");
  FrameFigures f;
  std::tie(f.width, f.height) = parse_size(o.size);
  const DesktopOptions options = bench_window_options(o, f.width, f.height);
  require_display();
  // As the window: the lesson and its trainer built on a thread while the window draws.
  Desktop desktop(open_session(o.session), options);
  desktop.frame(0);
  desktop.swap();
  f.first_frame_ms = ms_since(started);
  f.opening_max_ms = frames_while_opening(desktop);
  f.ready_ms = ms_since(started);
  const Trace& trace = desktop.state().session.trace();
  f.step = heavy_step(trace);
  desktop.go_to_step(f.step);
  select(trace, desktop.selection(), element_at(trace, f.step, 1, 1));
  if (o.training) {
    desktop.show_training(true);
    desktop.run_training(true);
  }
  time_frames(desktop, o, f);
  std::tie(f.rss_mb, f.peak_mb) = resident_mb();
  f.after_open_mb = o.then_open.empty() ? 0 : open_and_measure(desktop, o.then_open);
  const int training_steps = desktop.state().training.steps_done;
  if (o.json)
    print_frames_json(o, f, training_steps);
  else
    print_frames_text(o, f, training_steps);
}

// Builds the window's session: where the window was when it last closed (`last`, cleared when
// that lesson is gone or changed), else `options`; prints the walk-through.
Session window_session(const SessionOptions& options, std::optional<LastSession>& last, SessionOptions& used,
                       std::optional<ReferenceCheck>& reference) {
  used = options;
  if (last) {
    used.lesson = last->lesson;
    used.src = last->src;
    used.tgt = last->tgt;
    try {
      Session session = make_session(used, &reference);
      print_walkthrough(std::cout, session);
      std::cout.flush();
      return session;
    } catch (const std::exception&) {
      used = options;
      last.reset();
    }
  }
  Session session = make_session(used, &reference);
  const Lesson lesson = used.preset.empty() ? load_lesson(used.lesson) : Lesson{};
  if (!lesson.attention.empty())
    print_fixed_attention(std::cout, lesson.title.en, lesson.attention);
  else
    print_walkthrough(std::cout, session);
  std::cout.flush();
  return session;
}

// Puts the step and chosen token of the last session back.
void restore_cursor(Desktop& desktop, const LastSession& last) {
  desktop.go_to_step(last.step);
  const int words =
      static_cast<int>(last.token_side == 1 ? desktop.state().src_words.size() : desktop.state().tgt_in_words.size());
  if ((last.token_side == 1 || last.token_side == 2) && last.token_index >= 0 && last.token_index < words)
    desktop.selection().token = {static_cast<views::TokenSide>(last.token_side), last.token_index};
}

}  // namespace

int run_window(const SessionOptions& options, int exit_after, const std::string& lang) {
  try {
    run_command([&] {
      const std::optional<Language> asked = language_named(lang);
      // Without --lesson, --preset or sentences: where the window was when it last closed.
      auto last = std::make_shared<std::optional<LastSession>>();
      if (options.lesson.empty() && options.preset.empty() && options.src.empty() && options.tgt.empty() &&
          options.weights.empty() && options.sets.empty() && !config_dir().empty())
        *last = load_last_session(config_dir() / "session.json");
      if (options.preset.empty()) load_lesson(options.lesson);  // a file that cannot be used ends here
      if (Window::display_problem()) {
        SessionOptions used;
        std::optional<ReferenceCheck> reference;
        window_session(options, *last, used, reference);
        require_display();
      }
      const std::string what =
          !options.preset.empty() ? "preset " + options.preset
          : *last                 ? std::filesystem::path((*last)->lesson).filename().string()
                  : std::filesystem::path(options.lesson.empty() ? default_lesson_path() : options.lesson)
                        .filename()
                        .string();
      const Language language = start_language(asked, true);  // before the loader's thread starts
      auto opening = std::make_unique<views::LessonLoader>(what, [options, last](views::LoadProgress& progress) {
        progress.set(N_("building the model and its first forward + backward"));
        SessionOptions used;
        std::optional<ReferenceCheck> reference;
        Session session = window_session(options, *last, used, reference);
        std::optional<Lesson> lesson = training_lesson(used);
        const std::string path = lesson ? (used.lesson.empty() ? default_lesson_path() : used.lesson) : "";
        return views::LoadedLesson{std::move(session), std::move(lesson), path, std::move(reference)};
      });
      DesktopOptions desktop_options;
      desktop_options.open_lesson_panel = true;
      if (asked) desktop_options.language = language;
      Desktop desktop(std::move(opening), desktop_options);
      bool restored = false;
      int frames = 0;
      Clock::time_point last_frame = Clock::now();
      while (!desktop.should_close() && (exit_after <= 0 || frames < exit_after)) {
        const Clock::time_point now = Clock::now();
        const double seconds = std::chrono::duration<double>(now - last_frame).count();
        last_frame = now;
        desktop.frame(seconds);
        desktop.swap();
        if (!desktop.ready()) {
          desktop.wait_events(0.05);
          continue;
        }
        if (!restored && *last) restore_cursor(desktop, **last);
        restored = true;
        ++frames;
        if (!desktop.state().playing && !desktop.state().training.running && !desktop.state().opening)
          desktop.wait_events(0.25);
      }
    });
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  }
  return 0;
}

void add_screenshot_command(CLI::App& cli) {
  auto o = std::make_shared<ScreenshotOptions>();
  CLI::App* cmd = cli.add_subcommand("screenshot", "Render the app at a given state and write a PNG");
  add_session_options(*cmd, o->session);
  cmd->add_option("--out", o->out, "PNG file to write")->required();
  cmd->add_option("--view", o->view, view_help)->capture_default_str();
  cmd->add_option("--page", o->page, page_help);
  cmd->add_option("--train", o->train,
                  "Train this many steps first (from the lesson's seed) and show the training panel")
      ->check(CLI::Range(0, 100000));
  cmd->add_flag("--positional-experiment", o->positional_experiment,
                "Run the positional-encoding experiment first and show it in the training panel");
  auto* step = cmd->add_option("--step", o->step, "Step index, as `attnviz trace --print` numbers them")
                   ->check(CLI::Range(0, 1000000));
  cmd->add_option("--step-label", o->step_label, "Step label, e.g. encoder.0.self_attn.head1.softmax")->excludes(step);
  cmd->add_flag("--backward", o->backward, "With --step-label: the backward step of that label");
  cmd->add_option("--select", o->select, "ROW,COL of the step's output (forward) or gradient passed down (backward)");
  cmd->add_option("--tour-stop", o->tour_stop, "Stop K (from 1) of the lesson's tour, with the Tour panel")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--presenter", o->presenter, "Presenter mode (F5): the tour stop's panel large, its note as a caption");
  cmd->add_option("--size", o->size, "WIDTHxHEIGHT in pixels")->capture_default_str();
  cmd->add_option("--scale", o->scale, "Text size: 100%, 125%, 150%, 175%, 200% (or 1.5; 60% to 300%)")
      ->capture_default_str();
  cmd->add_option("--theme", o->theme, "light or dark")->capture_default_str();
  cmd->add_option("--lang", o->lang, "Interface language: en or ko")->capture_default_str();
  cmd->add_flag("--lab", o->lab, "Open the gradient lab window (overview)");
  cmd->add_flag("--norm-compare", o->norm_compare,
                "With a forward LayerNorm step: the step detail scrolled to LayerNorm or BatchNorm?");
  cmd->add_option("--picture", o->picture,
                  "Write the picture of the figure of this name (its right-click Save picture…, twice its size), or of "
                  "the whole window (window: File ▸ Save window as PNG…), through a temporary file and a rename");
  cmd->callback([o] { run_command([&] { screenshot(*o); }); });
}

void add_bench_frames_command(CLI::App& bench, Clock::time_point started) {
  auto o = std::make_shared<BenchFramesOptions>();
  CLI::App* cmd = bench.add_subcommand("frames", "Frame times with every panel open at a backward step");
  add_session_options(*cmd, o->session);
  cmd->add_option("--frames", o->frames, "Frames to time (after 20 warm-up frames)")->capture_default_str();
  cmd->add_option("--size", o->size, "WIDTHxHEIGHT in pixels")->capture_default_str();
  cmd->add_option("--view", o->view, view_help)->capture_default_str();
  cmd->add_option("--page", o->page, page_help);
  cmd->add_flag("--lab", o->lab, "Open the gradient lab window (overview)");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->add_flag("--training", o->training, "Train the lesson in the background meanwhile, training panel shown");
  cmd->add_flag("--switch-pages", o->switch_pages, "Bring the next centre tab forward every 10 frames");
  cmd->add_option("--then-open", o->then_open,
                  "Open this lesson from the File menu after the timed frames; print the memory after");
  cmd->callback([o, started] { run_command([&] { bench_frames(*o, started); }); });
}

}  // namespace attnviz::app
