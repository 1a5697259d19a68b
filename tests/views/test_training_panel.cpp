// The training panel under Dear ImGui's headless context, with training driven step by step on
// this thread; the hand-over of the trainer's snapshot into the session; reset to the seed's
// weights; and a run on the runner's own thread followed by the app side as the window does.

#include "model/io/lesson_file.h"
#include "views/controller.h"
#include "views/training_panel.h"
#include "views/training_runner.h"
#include "views/ui.h"
#include "headless_ui.h"

#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <chrono>
#include <thread>

namespace attnviz::views {
namespace {

Lesson word_order() {
  Lesson lesson = io::read_lesson_file(std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/word-order.json");
  lesson.training.eval_every = 2;  // a curve point every two steps: a few steps draw a line
  return lesson;
}

void expect_same_weights(const Parameters& params, const std::vector<Mat>& weights) {
  ASSERT_EQ(static_cast<int>(weights.size()), params.size());
  for (int i = 0; i < params.size(); ++i) {
    SCOPED_TRACE(params[i].name);
    const Mat& w = weights[static_cast<std::size_t>(i)];
    ASSERT_EQ(w.rows(), params[i].value.rows());
    ASSERT_EQ(w.cols(), params[i].value.cols());
    EXPECT_TRUE((w.array() == params[i].value.array()).all());
  }
}

// The seed's initial weights of the lesson's model.
std::vector<Mat> seed_weights(const Lesson& lesson) {
  const Transformer model(lesson.config, lesson.training.seed);
  std::vector<Mat> w;
  for (const Tensor& p : model.params()) w.push_back(p.value);
  return w;
}

class TrainingHeadless : public HeadlessUi {
 protected:
  TrainingHeadless() : HeadlessUi(Session(to_preset(word_order()))) {}

  void SetUp() override {
    HeadlessUi::SetUp();
    app.training.available = true;
    app.training.planned_steps = lesson.training.steps;
  }

  void frame() {
    const Effects effects = HeadlessUi::frame();
    training_commands.insert(training_commands.end(), effects.training.begin(), effects.training.end());
  }
  void frames(int n) {
    for (int i = 0; i < n; ++i) frame();
  }

  Lesson lesson = word_order();
  std::vector<Command> training_commands;
  double clock = 0;
};

TEST_F(TrainingHeadless, PanelDrawsBeforeDuringAndAfterTraining) {
  TrainingRunner runner(lesson, false);
  for (PanelId view : {PanelId::training, PanelId::overview}) {
    SCOPED_TRACE(panel_info(view).name);
    ui.view = view;
    ui.show(PanelId::training);
    frames(3);
    ASSERT_NE(ImGui::FindWindowByName("###Training"), nullptr);
    EXPECT_TRUE(ImGui::FindWindowByName("###Training")->Active);
    EXPECT_GT(vertices(), 200);
  }
  EXPECT_TRUE(app.training.curve.empty());

  const std::uint64_t generation = app.generation;
  for (int step = 1; step <= 6; ++step) {
    runner.step_once();
    runner.pump();
    follow_training(app, selection, runner, clock, 1.0 / 60);
    frames(2);
    EXPECT_EQ(app.training.steps_done, step);
    EXPECT_GT(vertices(), 200);
  }
  EXPECT_GT(app.generation, generation);  // the session re-ran on the new weights
  ASSERT_GE(app.training.curve.size(), 3u);
  EXPECT_EQ(app.training.curve.back().step, 6);
  EXPECT_LT(app.training.curve.back().train_loss, app.training.curve.front().train_loss);
  frames(3);
  EXPECT_GT(vertices(), 200);
}

// The positional-encoding experiment on the paper's base model is refused, saying why, and the
// panel shows the reason; nothing is trained.
TEST_F(TrainingHeadless, ExperimentTooLargeIsRefusedWithItsReason) {
  const Lesson base = io::read_lesson_file(std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/paper-base.json");
  TrainingRunner runner(base, false);
  training_commands.clear();
  apply_training_command(runner, Train{Train::Action::positional_experiment});
  follow_training(app, selection, runner, clock, 0, 0);
  EXPECT_FALSE(app.training.experiment_running);
  EXPECT_FALSE(app.training.experiment.has_value());
  const std::string problem = app.training.experiment_problem.what();
  EXPECT_NE(problem.find("twice"), std::string::npos) << problem;
  EXPECT_EQ(runner.steps_done(), 0);
}

TEST_F(TrainingHeadless, HandOverGivesTheSessionExactlyTheSnapshot) {
  TrainingRunner runner(lesson, false);
  runner.step_once();
  runner.step_once();
  runner.step_once();
  runner.pump(3);
  EXPECT_EQ(runner.steps_done(), 3);
  const int step = selection.step = 5;
  follow_training(app, selection, runner, clock, 0, 0);
  expect_same_weights(app.session.model().params(), runner.weights());
  EXPECT_EQ(app.training.shown_version, runner.version());
  EXPECT_EQ(selection.step, step);

  // The trace is that of the snapshot: a fresh session given the same weights computes the
  // same loss.
  Session fresh(to_preset(lesson));
  for (int i = 0; i < fresh.model().params().size(); ++i)
    fresh.model().params()[i].value = runner.weights()[static_cast<std::size_t>(i)];
  fresh.rerun();
  EXPECT_EQ(fresh.trace().loss(), app.session.trace().loss());
}

TEST_F(TrainingHeadless, ASnapshotOfAnotherShapeChangesNothing) {
  const std::vector<Mat> before = [&] {
    std::vector<Mat> w;
    for (const Tensor& t : app.session.model().params()) w.push_back(t.value);
    return w;
  }();
  const double loss = app.session.trace().loss();
  std::vector<Mat> wrong = before;
  wrong.back() = Mat::Zero(wrong.back().rows() + 1, wrong.back().cols());
  EXPECT_FALSE(hand_over_weights(app, selection, wrong));
  wrong.pop_back();
  EXPECT_FALSE(hand_over_weights(app, selection, wrong));
  expect_same_weights(app.session.model().params(), before);
  EXPECT_EQ(app.session.trace().loss(), loss);
}

// Run stops at the lesson's planned steps; asked again from there, it goes on until paused.
TEST_F(TrainingHeadless, RunStopsAtTheLessonsStepsAndGoesOnOnlyWhenAskedAgain) {
  Lesson short_lesson = lesson;
  short_lesson.training.steps = 3;
  TrainingRunner runner(short_lesson, false);
  runner.run(true);
  runner.pump(10);
  EXPECT_EQ(runner.steps_done(), 3);
  EXPECT_FALSE(runner.running());
  runner.run(true);
  runner.pump(4);
  EXPECT_EQ(runner.steps_done(), 7);
  EXPECT_TRUE(runner.running());
}

TEST_F(TrainingHeadless, ResetReturnsToTheSeedsInitialWeights) {
  TrainingRunner runner(lesson, false);
  EXPECT_TRUE(runner.weights().empty());  // no trainer (and no memory for one) before it is asked for
  const std::vector<Mat> initial = seed_weights(lesson);
  runner.step_once();
  runner.step_once();
  runner.pump(2);
  EXPECT_FALSE((runner.weights()[0].array() == initial[0].array()).all());
  runner.reset();
  runner.pump();
  EXPECT_EQ(runner.steps_done(), 0);
  const std::vector<Mat> again = runner.weights();
  ASSERT_EQ(again.size(), initial.size());
  for (std::size_t i = 0; i < initial.size(); ++i) EXPECT_TRUE((again[i].array() == initial[i].array()).all());
  TrainingRunner other(lesson, false);  // a new runner from the same seed starts there too
  other.reset();
  other.pump();
  for (std::size_t i = 0; i < initial.size(); ++i)
    EXPECT_TRUE((other.weights()[i].array() == initial[i].array()).all());
}

// Reset offers both: the lesson's weights (read again) and the seed's initial weights; the session
// follows and names them.
TEST_F(TrainingHeadless, ResetChoosesTheLessonsWeightsOrTheSeeds) {
  std::vector<Mat> lesson_weights;
  for (const Tensor& p : app.session.model().params())
    lesson_weights.push_back(p.value + Mat::Constant(p.value.rows(), p.value.cols(), 0.01));
  int loads = 0;
  LessonWeights source{"the lesson's trained weights (test)", [&](Parameters& p) {
                         ++loads;
                         for (int i = 0; i < p.size(); ++i) p[i].value = lesson_weights[static_cast<std::size_t>(i)];
                       }};
  TrainingRunner runner(lesson, false, source);
  const std::vector<Mat> seed = seed_weights(lesson);
  runner.step_once();
  runner.pump();
  apply_training_command(runner, Train{Train::Action::reset_lesson});
  runner.pump();
  EXPECT_EQ(loads, 1);
  EXPECT_EQ(runner.steps_done(), 0);
  follow_training(app, selection, runner, clock, 0, 0);
  for (int i = 0; i < app.session.model().params().size(); ++i)
    EXPECT_TRUE(
        (app.session.model().params()[i].value.array() == lesson_weights[static_cast<std::size_t>(i)].array()).all());
  EXPECT_EQ(app.session.weights_origin(), "the lesson's trained weights (test)");
  EXPECT_EQ(app.training.start_words, "the lesson's trained weights (test)");

  runner.step_once();  // trains on from the lesson's weights
  runner.pump();
  follow_training(app, selection, runner, clock, 0, 0);
  EXPECT_EQ(app.session.weights_origin(), "the lesson's trained weights (test) after 1 training steps here");

  apply_training_command(runner, Train{Train::Action::reset_seed});
  runner.pump();
  follow_training(app, selection, runner, clock, 0, 0);
  expect_same_weights(app.session.model().params(), seed);
  EXPECT_EQ(app.session.weights_origin(), "seed 1's initial weights");
}

// Paused after steps that fall between eval_every points: the curve gets a point at the last
// step, so the held-out figure is that of the weights shown.
TEST_F(TrainingHeadless, IdleRunnerFiguresAreOfTheLastStep) {
  Lesson sparse = lesson;
  sparse.training.eval_every = 50;
  TrainingRunner runner(sparse, false);
  runner.step_once();
  runner.step_once();
  runner.pump(2);
  follow_training(app, selection, runner, clock, 0, 0);
  ASSERT_FALSE(app.training.curve.empty());
  EXPECT_EQ(app.training.curve.back().step, 2);
  EXPECT_EQ(figure_sources(app.training).train, "training mini-batches of steps 1–2");
  EXPECT_EQ(figure_sources(app.training).held, "held-out set (30 pairs)");
}

// A long step reports its examples as they go; Cancel abandons it and the weights stay.
TEST_F(TrainingHeadless, ALongStepShowsProgressAndCanBeCancelled) {
  Lesson heavy = lesson;
  heavy.training.batch_size = 100000;
  TrainingRunner runner(heavy);
  const std::vector<Mat> before = seed_weights(lesson);
  runner.step_once();
  // Until the step is under way with an example done (a loaded machine may take long to start it).
  const auto under_way = [&] {
    const StepProgressInfo p = runner.progress();
    return p.busy && p.done > 0;
  };
  const auto start = std::chrono::steady_clock::now();
  while (!under_way() && std::chrono::steady_clock::now() - start < std::chrono::seconds(30))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(under_way());
  follow_training(app, selection, runner, clock, 0, 0);
  EXPECT_TRUE(app.training.busy);
  EXPECT_EQ(app.training.busy_total, 100000);
  EXPECT_GT(app.training.busy_done, 0);
  apply_training_command(runner, Train{Train::Action::cancel});
  const auto cancelled = std::chrono::steady_clock::now();
  while (runner.progress().busy && std::chrono::steady_clock::now() - cancelled < std::chrono::seconds(30))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_FALSE(runner.progress().busy);
  EXPECT_EQ(runner.steps_done(), 0);
  const std::vector<Mat> after = runner.weights();
  for (std::size_t i = 0; i < before.size(); ++i) EXPECT_TRUE((after[i].array() == before[i].array()).all());
}

TEST_F(TrainingHeadless, PanelButtonsBecomeTrainingCommands) {
  ui.view = PanelId::training;
  frames(2);
  const ImGuiWindow* window = ImGui::FindWindowByName("###Training");
  ASSERT_NE(window, nullptr);
  // The first button of the panel is Run: click it.
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 run = window->DC.CursorStartPos;
  io.MousePos = ImVec2(run.x + 8, run.y + 6);
  frame();
  io.MouseDown[0] = true;
  frame();
  io.MouseDown[0] = false;
  frame();
  ASSERT_FALSE(training_commands.empty());
  const Train* train = std::get_if<Train>(&training_commands.front());
  ASSERT_NE(train, nullptr);
  EXPECT_EQ(train->action, Train::Action::run);
}

// The window's way: the runner trains on its own thread while this thread draws frames and
// copies snapshots in between.  Under ThreadSanitizer (cmake -DCMAKE_CXX_FLAGS=-fsanitize=thread)
// this is the race check of the hand-over.
// Until the runner's thread has finished the step it was in: not busy, no new snapshot for 200 ms
// (a loaded machine may take long over one step).
void wait_until_quiet(const TrainingRunner& runner) {
  const auto start = std::chrono::steady_clock::now();
  auto quiet_since = start;
  std::uint64_t version = runner.version();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto now = std::chrono::steady_clock::now();
    if (runner.progress().busy || runner.version() != version) {
      version = runner.version();
      quiet_since = now;
    } else if (now - quiet_since >= std::chrono::milliseconds(200)) {
      return;
    }
  }
}

TEST_F(TrainingHeadless, BackgroundRunIsFollowedBetweenFrames) {
  TrainingRunner runner(lesson);
  ui.view = PanelId::overview;
  ui.show(PanelId::training);
  runner.set_learning_rate(2e-3);
  runner.run(true);
  const auto start = std::chrono::steady_clock::now();
  int handed_over = 0;
  // Until a snapshot was handed over (a loaded machine may need long for the first step).
  while (handed_over == 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
    const std::uint64_t generation = app.generation;
    follow_training(app, selection, runner, clock, 1.0 / 60, 0.05);
    handed_over += app.generation != generation;
    frame();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  runner.run(false);
  EXPECT_GT(runner.steps_done(), 0);
  EXPECT_GT(handed_over, 0);
  EXPECT_DOUBLE_EQ(runner.learning_rate(), 2e-3);
  // Paused: within a few frames the session shows the last step's weights, whatever the clock says.
  wait_until_quiet(runner);
  for (int frame = 0; frame < 500; ++frame) {
    follow_training(app, selection, runner, clock, 0, 10);
    if (!runner.run_requested() && app.training.shown_version == runner.version()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(app.training.running);
  expect_same_weights(app.session.model().params(), runner.weights());
}

}  // namespace
}  // namespace attnviz::views

namespace attnviz::views {
namespace {

// Without positional encoding the encoder sees a bag of words: the subject is a coin flip.
TEST_F(TrainingHeadless, PositionalExperimentShowsTheSubjectAsACoinFlipWithoutIt) {
  TrainingRunner runner(lesson, false);
  app.training.position_names = lesson.task.position_names;
  runner.start_positional_experiment();
  follow_training(app, selection, runner, clock, 0, 0);
  ASSERT_TRUE(app.training.experiment.has_value());
  const PositionalExperiment& e = *app.training.experiment;
  ASSERT_FALSE(e.with_pe.position_accuracy.empty());
  EXPECT_EQ(lesson.task.position_names.front(), "subject");
  EXPECT_GE(e.with_pe.position_accuracy.front(), 0.99);
  EXPECT_NEAR(e.without_pe.position_accuracy.front(), 0.5, 0.15);
  ui.view = PanelId::training;
  frames(3);
  EXPECT_GT(vertices(), 400);
  ui.view = PanelId::overview;
  ui.show(PanelId::training);
  frames(3);
  EXPECT_GT(vertices(), 400);
}

}  // namespace
}  // namespace attnviz::views

namespace attnviz::views {
namespace {

// A file problem is shown over the panels until dismissed; the dismissal is a command.
TEST_F(TrainingHeadless, FileProblemIsShownUntilDismissed) {
  app.file_message = "bad.json: config.heads = 3: d_model 32 is not divisible by 3";
  frames(3);
  const ImGuiWindow* window = ImGui::FindWindowByName("###File problem");
  ASSERT_NE(window, nullptr);
  EXPECT_TRUE(window->Active);
  commands.push(DismissFileMessage{});
  frame();
  EXPECT_TRUE(app.file_message.empty());
  frames(2);
  EXPECT_FALSE(ImGui::FindWindowByName("###File problem")->Active);
}

}  // namespace
}  // namespace attnviz::views
