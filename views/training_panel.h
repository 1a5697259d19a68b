#pragma once
// The training panel: loss and token-accuracy curves for the training and held-out data, and
// run / pause / one step / reset / learning rate.  It draws app.training (a copy the app makes
// between frames) and asks for changes with Train and SetLearningRate commands.

#include "views/panel.h"
#include "views/training_runner.h"

#include <string>
#include <vector>

namespace attnviz::views {

// One line of a plot: y[i] at x[i].
struct CurveSeries {
  const char* name = "";
  ImU32 colour = 0;
  std::vector<double> x, y;
};

// A line plot of `size` with a title, y ticks (each followed by `unit`: "", " %"), the x range
// 0 … x_max and a legend; a figure (figure.h): a right-click offers Save picture….
void line_plot(const char* title, ImVec2 size, const std::vector<CurveSeries>& series, double y_min, double y_max,
               double x_max, const char* unit);

// The positional-encoding experiment's two held-out curves.
struct PeCurveColours {
  ImU32 with_pe, without_pe;
};
PeCurveColours pe_curve_colours(Theme theme);

// What the figures of the curve's last point are computed on: "held-out set (30 pairs)" (or all
// pairs when none are held out) and "training mini-batches of steps 351–400".
struct FigureSources {
  std::string held, train;
};
FigureSources figure_sources(const TrainingStatus& t);

struct TrainingPanel : Panel {
  void draw(const AppState& app, Selection& selection, Commands& commands) override;
};

// Copies a trainer snapshot into the session: every parameter's value, then forward + backward
// on the same sentence; the cursor stays on its step.  A snapshot whose shapes differ from the
// session's parameters changes nothing and returns false.
bool hand_over_weights(AppState& app, Selection& selection, const std::vector<Mat>& weights);

// A Train or SetLearningRate command, carried out by the runner (other commands are ignored).
void apply_training_command(TrainingRunner& runner, const Command& command);

// Between frames: refreshes app.training from the runner; when the weights changed, asks the
// runner for the session's run on them (at most once every `interval` seconds while training
// runs; `clock` counts the seconds since the last request) and takes it once it is ready, so the
// window's thread copies the weights but never runs the model for training.
void follow_training(AppState& app, Selection& selection, TrainingRunner& runner, double& clock, double seconds,
                     double interval = 0.25);

}  // namespace attnviz::views
