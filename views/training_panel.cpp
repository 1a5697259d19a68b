#include "views/training_panel.h"

#include "views/figure.h"
#include "model/translatable.h"
#include "views/file_actions.h"
#include "views/i18n.h"
#include "views/tooltip_button.h"

#include "model/number_format.h"
#include "views/controller.h"
#include "views/plot.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <tuple>

namespace attnviz::views {
namespace {

// Okabe–Ito blue and orange: training and held-out, told apart without colour vision too
// (held-out is drawn thicker).
constexpr ImU32 train_colour = IM_COL32(0, 114, 178, 255);
constexpr ImU32 held_colour = IM_COL32(213, 94, 0, 255);

}  // namespace

// With PE: Okabe–Ito blue (sky blue on the dark panel, where the deep blue is too dim); without
// PE: the theme's warning red.  Far apart in hue and in lightness in both themes.
PeCurveColours pe_curve_colours(Theme theme) {
  const ImU32 with_pe = theme == Theme::light ? train_colour : IM_COL32(86, 180, 233, 255);
  return {with_pe, palette(theme).warning};
}

namespace {

// Up to 5 y ticks (quarters or halves of y_min…y_max: round numbers on a 0–100 % axis) with a
// line and a half between labels, right-aligned left of the frame a–b; grid lines between them.
void y_ticks(ImDrawList* draw, ImVec2 a, ImVec2 b, double y_min, double y_max, const char* unit,
             const std::function<ImVec2(double, double)>& to_screen) {
  const float line_h = ImGui::GetTextLineHeight(), spacing = ImGui::GetStyle().ItemSpacing.x;
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled), grid = ImGui::GetColorU32(ImGuiCol_Border);
  int ticks = std::clamp(static_cast<int>((b.y - a.y) / (line_h * 1.5f)), 1, 4);
  if (ticks == 3) ticks = 2;
  for (int i = 0; i <= ticks; ++i) {
    const double y = y_min + (y_max - y_min) * i / ticks;
    const ImVec2 p = to_screen(0, y);
    if (i > 0 && i < ticks) draw->AddLine(ImVec2(a.x, p.y), ImVec2(b.x, p.y), grid);
    const std::string tick = format_tick(y, (y_max - y_min) / ticks) + unit;
    draw->AddText(ImVec2(a.x - spacing - ImGui::CalcTextSize(tick.c_str()).x, p.y - line_h / 2), dim, tick.c_str());
  }
}

// The series' names, each after a short line of its colour, right-aligned to `right` at `y`, in
// the text size × `scale`.
void legend(ImDrawList* draw, float right, float y, const std::vector<CurveSeries>& series, float scale) {
  const float font = ImGui::GetFontSize() * scale, line_h = ImGui::GetTextLineHeight() * scale;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  float x = right;
  for (auto it = series.rbegin(); it != series.rend(); ++it) {
    x -= ImGui::CalcTextSize(it->name).x * scale;
    draw->AddText(ImGui::GetFont(), font, ImVec2(x, y), text, it->name);
    x -= line_h * 1.2f;
    draw->AddLine(ImVec2(x, y + line_h / 2), ImVec2(x + line_h, y + line_h / 2), it->colour, 3);
    x -= line_h * 0.8f;
  }
}

void line_plot_alone(const char* title, ImVec2 size, const std::vector<CurveSeries>& series, double y_min, double y_max,
                     double x_max, const char* unit) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  const ImGuiStyle& style = ImGui::GetStyle();
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const float line_h = ImGui::GetTextLineHeight();
  draw->AddText(origin, ImGui::GetColorU32(ImGuiCol_Text), title);
  // The legend goes right of the title, or on a line of its own when both do not fit, in smaller
  // text (down to 60 %) when it is wider than the plot.
  float legend_w = 0;
  for (const CurveSeries& s : series) legend_w += ImGui::CalcTextSize(s.name).x + line_h * 2.0f;
  const bool legend_below = ImGui::CalcTextSize(title).x + legend_w + line_h > size.x;
  const float legend_scale = std::clamp((size.x - style.ItemSpacing.x) / legend_w, 0.6f, 1.0f);
  const float legend_y = legend_below ? origin.y + line_h * 1.1f : origin.y;
  // Frame: left margin for the y labels, a title line above, the x labels below.
  const double widest_step = (y_max > y_min ? y_max - y_min : 1) / 4;
  float label_w = 0;
  for (double y : {y_min, y_max, y_min + widest_step})
    label_w = std::max(label_w, ImGui::CalcTextSize((format_tick(y, widest_step) + unit).c_str()).x);
  const ImVec2 a(origin.x + label_w + style.ItemSpacing.x, legend_y + line_h * 1.5f);
  const ImVec2 b(origin.x + size.x - style.ItemSpacing.x, origin.y + size.y - line_h * 1.3f);
  if (b.x - a.x < 10 || b.y - a.y < 10) return;
  if (y_max <= y_min) y_max = y_min + 1;
  if (x_max <= 0) x_max = 1;
  const auto to_screen = [&](double x, double y) {
    const double fx = std::clamp(x / x_max, 0.0, 1.0), fy = std::clamp((y - y_min) / (y_max - y_min), 0.0, 1.0);
    return ImVec2(a.x + static_cast<float>(fx) * (b.x - a.x), b.y - static_cast<float>(fy) * (b.y - a.y));
  };
  draw->AddRect(a, b, ImGui::GetColorU32(ImGuiCol_Border));
  y_ticks(draw, a, b, y_min, y_max, unit, to_screen);
  draw->AddText(ImVec2(a.x, b.y + line_h * 0.15f), dim, "0");
  const std::string label = formatted(tr("step %.0f"), x_max);
  draw->AddText(ImVec2(b.x - ImGui::CalcTextSize(label.c_str()).x, b.y + line_h * 0.15f), dim, label.c_str());
  draw->PushClipRect(a, b, true);
  for (const CurveSeries& s : series) {
    const float thickness = (&s == &series.back() ? 3.0f : 2.0f) * ImGui::GetFontSize() / 18;
    for (std::size_t i = 1; i < s.x.size(); ++i)
      draw->AddLine(to_screen(s.x[i - 1], s.y[i - 1]), to_screen(s.x[i], s.y[i]), s.colour, thickness);
    if (s.x.size() == 1) draw->AddCircleFilled(to_screen(s.x[0], s.y[0]), thickness * 1.5f, s.colour);
  }
  draw->PopClipRect();
  legend(draw, b.x, legend_y, series, legend_scale);  // top right, above the frame, after the title
}

}  // namespace

// `title` in English (the figure's name), drawn translated.
void line_plot(const char* title, ImVec2 size, const std::vector<CurveSeries>& series, double y_min, double y_max,
               double x_max, const char* unit) {
  figure(title, [&](float scale) {
    line_plot_alone(tr(title), ImVec2(size.x * scale, size.y * scale), series, y_min, y_max, x_max, unit);
  });
}

FigureSources figure_sources(const TrainingStatus& t) {
  FigureSources s;
  s.held = t.held_pairs > 0 ? formatted(tr("held-out set (%d pairs)"), t.held_pairs)
                            : formatted(tr("all %d pairs (none held out)"), t.train_pairs);
  if (t.curve.empty()) return s;
  const int last = t.curve.back().step;
  const int previous = t.curve.size() > 1 ? t.curve[t.curve.size() - 2].step : 0;
  s.train = last == 0              ? tr("training pairs at step 0")
            : last == previous + 1 ? formatted(tr("training mini-batch of step %d"), last)
                                   : formatted(tr("training mini-batches of steps %d–%d"), previous + 1, last);
  return s;
}

namespace {

// Reset: a popup with the two weights to start again from.
void reset_menu(const TrainingStatus& t, Commands& commands) {
  if (tooltip_button(tr("Reset…"), tr("Back to step 0: on the lesson's weights or on the seed's initial weights")))
    ImGui::OpenPopup("reset to");
  if (!ImGui::BeginPopup("reset to")) return;
  const std::string lesson = formatted(tr("The lesson's weights: %s"), t.lesson_words.c_str());
  const std::string seed = formatted(tr("Untrained: %s"), t.seed_words.c_str());
  if (ImGui::Selectable(lesson.c_str())) commands.push(Train{Train::Action::reset_lesson});
  if (ImGui::Selectable(seed.c_str())) commands.push(Train{Train::Action::reset_seed});
  ImGui::EndPopup();
}

// While a step is computed: which one, how far (examples of its mini-batch), and Cancel.
void progress_line(const TrainingStatus& t, Commands& commands) {
  if (!t.busy) return;
  const std::string text =
      t.busy_total > 0 ? formatted(tr("step %d: example %d of %d"), t.steps_done + 1, t.busy_done + 1, t.busy_total)
                       : formatted(tr("evaluating at step %d"), t.steps_done);
  const float fraction = t.busy_total > 0 ? static_cast<float>(t.busy_done) / static_cast<float>(t.busy_total) : 0;
  ImGui::ProgressBar(fraction, ImVec2(ImGui::GetFontSize() * 14, 0), text.c_str());
  ImGui::SameLine();
  if (tooltip_button(tr("Cancel"), tr("Abandon this step; the weights stay those of the last finished step")))
    commands.push(Train{Train::Action::cancel});
}

// The experiment's progress (steps of the first run) and Cancel while it runs; else why the last
// one was refused, failed or cancelled.
void experiment_line(const TrainingStatus& t, Commands& commands) {
  if (t.experiment_running) {
    const std::string text = formatted(tr("step %d of %d, both runs"), t.experiment_done, t.experiment_total);
    const float fraction =
        t.experiment_total > 0 ? static_cast<float>(t.experiment_done) / static_cast<float>(t.experiment_total) : 0;
    ImGui::SameLine();
    ImGui::ProgressBar(fraction, ImVec2(ImGui::GetFontSize() * 12, 0), text.c_str());
    ImGui::SameLine();
    if (tooltip_button((std::string(tr("Cancel")) + "##experiment").c_str(),
                       tr("Stop both runs; the last experiment's figures stay")))
      commands.push(Train{Train::Action::cancel_experiment});
  } else if (*t.experiment_problem.what()) {
    ImGui::TextWrapped("%s", error_in_words(t.experiment_problem).c_str());
  }
}

// The curve's last point, each figure named with its data and its step.
void last_figures(const TrainingStatus& t) {
  const CurvePoint& last = t.curve.back();
  const FigureSources sources = figure_sources(t);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(held_colour), "%s", sources.held.c_str());
  ImGui::SameLine(0, 0);
  ImGui::Text(tr(" at step %d: loss %s · accuracy %.1f %%"), last.step, format_value(last.held_loss, 3).c_str(),
              100 * last.held_accuracy);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(train_colour), "%s", sources.train.c_str());
  ImGui::SameLine(0, 0);
  ImGui::Text(tr(": loss %s · accuracy %.1f %%"), format_value(last.train_loss, 3).c_str(), 100 * last.train_accuracy);
}

}  // namespace

namespace {

// Run / Pause (Run on past the lesson's steps), One step, Reset…, the learning rate.
void training_buttons(const TrainingStatus& t, Commands& commands) {
  const bool past_plan = t.planned_steps > 0 && t.steps_done >= t.planned_steps;
  const std::string run_tip =
      past_plan ? formatted(tr("Train on past the lesson's %d steps until paused"), t.planned_steps)
                : formatted(tr("Train in the background up to the lesson's %d steps"), t.planned_steps);
  if (tooltip_button(t.running   ? tr("Pause")
                     : past_plan ? tr("Run on")
                                 : tr("Run"),
                     t.running ? tr("Pause training") : run_tip.c_str()))
    commands.push(Train{t.running ? Train::Action::pause : Train::Action::run});
  ImGui::SameLine();
  if (tooltip_button(tr("One step"), tr("One mini-batch and one Adam update")))
    commands.push(Train{Train::Action::step});
  ImGui::SameLine();
  reset_menu(t, commands);
  ImGui::SameLine();
  char rate_text[32];
  std::snprintf(rate_text, sizeof rate_text, "%.0e", t.learning_rate);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  if (ImGui::BeginCombo(labelled("learning rate").c_str(), rate_text)) {
    for (const double rate : {1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2}) {
      std::snprintf(rate_text, sizeof rate_text, "%.0e", rate);
      if (ImGui::Selectable(rate_text, std::abs(rate - t.learning_rate) < 1e-12)) commands.push(SetLearningRate{rate});
    }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip(tr("Adam's peak learning rate, from the next step on"));
}

// Where training stands: the step and the weights it started from, the progress of a step, the
// last figures (or what the panels show before any training), a problem.
void training_status(const AppState& app, const TrainingStatus& t, Commands& commands) {
  const Palette& pal = palette(app.theme);
  ImGui::Text(tr("Step %d from %s"), t.steps_done, t.start_words.c_str());
  if (t.running) {
    ImGui::SameLine();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.accent), tr("training…"));
  }
  progress_line(t, commands);
  if (!t.curve.empty()) {
    last_figures(t);
  } else {
    ImGui::TextWrapped(tr("Not trained here yet: the panels show %s. Run trains from %s."),
                       weights_in_words(app.session).c_str(), t.start_words.c_str());
  }
  if (!t.message.empty()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning), "%s", tr(t.message).c_str());
}

// "  96.7 %"
std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%5.1f %%", 100 * fraction);
  return text;
}

// The positional-encoding experiment's held-out accuracy word by word, with PE and without (in
// the warning colour below 90 %), and over all words.
void experiment_table(const TrainingStatus& t, const PositionalExperiment& e, const Palette& pal) {
  const std::size_t n = std::min(e.with_pe.position_accuracy.size(), e.without_pe.position_accuracy.size());
  if (!begin_headed_table("per word", {tr("held-out word"), tr("with PE"), tr("without PE")},
                          ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit))
    return;
  for (std::size_t i = 0; i < n; ++i) {
    ImGui::PushID(static_cast<int>(i));
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    if (i < t.position_names.size())
      ImGui::TextUnformatted(t.position_names[i].c_str());
    else
      ImGui::Text(tr("word %d"), static_cast<int>(i + 1));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(percent(e.with_pe.position_accuracy[i]).c_str());
    ImGui::TableNextColumn();
    const double without = e.without_pe.position_accuracy[i];
    if (without < 0.9)
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning), "%s", percent(without).c_str());
    else
      ImGui::TextUnformatted(percent(without).c_str());
    ImGui::PopID();
  }
  text_row({tr("all words"), percent(e.with_pe.accuracy), percent(e.without_pe.accuracy)});
  ImGui::EndTable();
}

// The curves of the training mini-batches and the held-out set: loss and accuracy (in %).
struct Curves {
  CurveSeries train_loss, held_loss, train_acc, held_acc;
  double max_loss = 1;  // the loss axis's top: the largest loss rounded up to a half
};

Curves training_curves(const TrainingStatus& t) {
  Curves c;
  c.train_loss = {tr("training mini-batches"), train_colour, {}, {}};
  c.held_loss = {t.held_pairs > 0 ? tr("held-out set") : tr("all pairs"), held_colour, {}, {}};
  c.train_acc = c.train_loss;
  c.held_acc = c.held_loss;
  double max_loss = 0;
  for (const CurvePoint& p : t.curve) {
    const double x = p.step;
    for (CurveSeries* s : {&c.train_loss, &c.held_loss, &c.train_acc, &c.held_acc}) s->x.push_back(x);
    c.train_loss.y.push_back(p.train_loss);
    c.held_loss.y.push_back(p.held_loss);
    c.train_acc.y.push_back(100 * p.train_accuracy);
    c.held_acc.y.push_back(100 * p.held_accuracy);
    max_loss = std::max({max_loss, p.train_loss, p.held_loss});
  }
  c.max_loss = max_loss > 0 ? std::ceil(max_loss * 2) / 2 : 1;
  return c;
}

// The experiment's two held-out accuracy curves, without PE and with it, in %.
void experiment_plot(const PositionalExperiment& e, Theme theme, ImVec2 plot) {
  const PeCurveColours colours = pe_curve_colours(theme);
  CurveSeries without{tr("without PE"), colours.without_pe, {}, {}}, with{tr("with PE"), colours.with_pe, {}, {}};
  double x_end = 1;
  for (const auto& [curve, series] : {std::pair{&e.without_curve, &without}, std::pair{&e.with_curve, &with}})
    for (const CurvePoint& p : *curve) {
      series->x.push_back(p.step);
      series->y.push_back(100 * p.held_accuracy);
      x_end = std::max(x_end, static_cast<double>(p.step));
    }
  line_plot(N_("Held-out set accuracy: PE or not"), plot, {without, with}, 0, 100, x_end, " %");
}

// Loss, accuracy and the experiment's plot, side by side where the panel is wide, else one
// under another (a narrow panel with the experiment leaves the loss out; the training view has
// all three).
void training_plots(const AppState& app, const TrainingStatus& t) {
  const Curves c = training_curves(t);
  const double x_max = std::max({t.planned_steps, t.steps_done, 1});
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float gap = ImGui::GetStyle().ItemSpacing.x * 2;
  const bool side_by_side = avail.x > avail.y * (t.experiment ? 2.4f : 1.6f);
  const bool show_loss = side_by_side || !t.experiment;
  const int plots = (show_loss ? 2 : 1) + (t.experiment ? 1 : 0);
  const ImVec2 size = side_by_side ? ImVec2((avail.x - gap * (plots - 1)) / plots, avail.y)
                                   : ImVec2(avail.x, (avail.y - gap * (plots - 1)) / plots);
  const ImVec2 plot(size.x, std::max(size.y, ImGui::GetTextLineHeight() * 5));
  if (show_loss) {
    line_plot(N_("Loss (cross-entropy)"), plot, {c.train_loss, c.held_loss}, 0, c.max_loss, x_max, "");
    if (side_by_side) ImGui::SameLine(0, gap);
  }
  line_plot(N_("Token accuracy"), plot, {c.train_acc, c.held_acc}, 0, 100, x_max, " %");
  if (!t.experiment) return;
  if (side_by_side) ImGui::SameLine(0, gap);
  experiment_plot(*t.experiment, app.theme, plot);
}

}  // namespace

void TrainingPanel::draw(const AppState& app, Selection&, Commands& commands) {
  const TrainingStatus& t = app.training;
  if (!t.available) {
    ImGui::TextWrapped(tr("This lesson cannot be trained here: %s"), tr(t.message).c_str());
    return;
  }
  training_buttons(t, commands);
  training_status(app, t, commands);
  if (tooltip_button(
          t.experiment_running ? tr("Training with and without…") : tr("Positional-encoding experiment"),
          tr("Trains this lesson twice from the same seed, with and without positional encoding, and compares "
             "the held-out accuracy word by word (a Transformer only: a recurrent model has no positional encoding)"),
          !t.experiment_running && !app.session.config().recurrent()))
    commands.push(Train{Train::Action::positional_experiment});
  experiment_line(t, commands);
  if (t.experiment) experiment_table(t, *t.experiment, palette(app.theme));
  training_plots(app, t);
}

bool hand_over_weights(AppState& app, Selection& selection, const std::vector<Mat>& weights) {
  Parameters& params = app.session.model().params();
  if (static_cast<int>(weights.size()) != params.size()) return false;
  for (int i = 0; i < params.size(); ++i) {
    const Mat& w = weights[static_cast<std::size_t>(i)];
    if (w.rows() != params[i].value.rows() || w.cols() != params[i].value.cols()) return false;
  }
  for (int i = 0; i < params.size(); ++i) params[i].value = weights[static_cast<std::size_t>(i)];
  const int step = selection.step;
  app.session.rerun();
  app.on_new_trace();
  go_to_step(app, selection, step);
  return true;
}

namespace {

// The session now holds the trainer's weights of `version` and their run: the panels follow,
// the cursor stays on its step.
void show_trained_run(AppState& app, Selection& selection, std::uint64_t version) {
  TrainingStatus& t = app.training;
  const int step = selection.step;
  app.on_new_trace();
  go_to_step(app, selection, step);
  app.session.set_weights_origin(
      t.steps_done == 0 ? t.start_words
                        : formatted(tr("%s after %d training steps here"), t.start_words.c_str(), t.steps_done));
  t.shown_version = version;
  t.message.clear();
}

// Takes the run the trainer made for the session, if one is ready.
void take_trained_run(AppState& app, Selection& selection, TrainingRunner& runner) {
  const std::optional<TrainingRunner::GivenRun> given = runner.give_run(app.session);
  if (!given) return;
  TrainingStatus& t = app.training;
  switch (given->taken) {
    case Session::RunTaken::taken:
      t.curve = runner.curve();
      t.start_words = runner.start_words();
      show_trained_run(app, selection, given->version);
      break;
    case Session::RunTaken::other_example: break;  // the sentences changed meanwhile: asked again
    case Session::RunTaken::other_shapes:
      t.message = N_("the trained weights do not fit this session's model (was the config changed?)");
      t.shown_version = given->version;
      break;
  }
}

void copy_status(TrainingStatus& t, const TrainingRunner& runner) {
  t.running = runner.running();
  t.steps_done = runner.steps_done();
  t.learning_rate = runner.learning_rate();
  t.experiment_running = runner.experiment_running();
  const StepProgressInfo progress = runner.progress();
  t.busy = progress.busy;
  t.busy_done = progress.done;
  t.busy_total = progress.total;
  t.lesson_words = runner.lesson_words();
  t.seed_words = runner.seed_words();
  t.train_pairs = runner.train_pairs();
  t.held_pairs = runner.held_pairs();
  if (t.start_words.empty()) t.start_words = runner.start_words();
  if (const std::string problem = runner.problem(); !problem.empty()) t.message = problem;
  std::tie(t.experiment_done, t.experiment_total) = runner.experiment_progress();
  if (runner.experiment_version() != t.experiment_version) {
    t.experiment_version = runner.experiment_version();
    t.experiment = runner.experiment();
    t.experiment_problem = runner.experiment_problem();
  }
}

}  // namespace

void follow_training(AppState& app, Selection& selection, TrainingRunner& runner, double& clock, double seconds,
                     double interval) {
  TrainingStatus& t = app.training;
  clock += seconds;
  copy_status(t, runner);
  take_trained_run(app, selection, runner);
  const std::uint64_t version = runner.version();
  if (version == t.shown_version || runner.run_requested() || (t.running && clock < interval)) return;
  clock = 0;
  runner.request_run(app.session.example());
  take_trained_run(app, selection, runner);  // a runner without a thread has it already
}

}  // namespace attnviz::views

namespace attnviz::views {

void apply_training_command(TrainingRunner& runner, const Command& command) {
  if (const auto* rate = std::get_if<SetLearningRate>(&command)) runner.set_learning_rate(rate->rate);
  const auto* train = std::get_if<Train>(&command);
  if (!train) return;
  switch (train->action) {
    case Train::Action::run: runner.run(true); break;
    case Train::Action::pause: runner.run(false); break;
    case Train::Action::step: runner.step_once(); break;
    case Train::Action::reset_lesson: runner.reset(ResetTo::lesson); break;
    case Train::Action::reset_seed: runner.reset(ResetTo::seed); break;
    case Train::Action::cancel: runner.cancel(); break;
    case Train::Action::positional_experiment: runner.start_positional_experiment(); break;
    case Train::Action::cancel_experiment: runner.cancel_experiment(); break;
  }
}

}  // namespace attnviz::views
