// Lessons opened on a thread of their own: the window keeps drawing (at launch a progress line,
// from the File menu the lesson that was open, still usable) until the new lesson is ready, and
// then the new lesson replaces the old one between frames.

#include "model/io/lesson_file.h"
#include "views/controller.h"
#include "views/file_actions.h"
#include "views/lesson_loader.h"
#include "headless_ui.h"

#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <chrono>
#include <future>
#include <thread>

namespace attnviz::views {
namespace {

std::string lesson_file(const char* name) { return std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/" + name; }

// Applies commands until app.opening is done (at most a minute); the effects of every call.
Effects until_opened(Commands& commands, AppState& app, Selection& selection) {
  Effects all;
  for (int i = 0; i < 6000; ++i) {
    const Effects e = apply_commands(commands, app, selection);
    all.lesson_changed |= e.lesson_changed;
    all.recent_changed |= e.recent_changed;
    if (!app.opening) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return all;
}

TEST(OpeningLesson, FileOpenStartsAThreadAndChangesNothingYet) {
  AppState app{Session(to_preset(io::read_lesson_file(lesson_file("word-order.json"))))};
  app.lesson_path = lesson_file("word-order.json");
  Selection selection;
  Commands commands;
  go_to_step(app, selection, 7);
  const double loss = app.session.trace().loss();
  commands.push(FileAction{FileAction::Kind::open_lesson, lesson_file("reverse.json")});
  const Effects asked = apply_commands(commands, app, selection);
  ASSERT_TRUE(app.opening);
  EXPECT_FALSE(asked.lesson_changed) << "the lesson was replaced on the window's thread";
  EXPECT_EQ(app.lesson_path, lesson_file("word-order.json"));
  EXPECT_EQ(app.session.trace().loss(), loss);
  EXPECT_EQ(app.opening->what(), "reverse.json");
  const Effects opened = until_opened(commands, app, selection);
  EXPECT_TRUE(opened.lesson_changed);
  EXPECT_EQ(app.lesson_path, lesson_file("reverse.json"));
}

// The opening thread is held at its first stage until the test lets it go.
TEST(OpeningLesson, TheOpenLessonStaysUsableUntilTheNewOneIsReady) {
  AppState app{Session(to_preset(io::read_lesson_file(lesson_file("word-order.json"))))};
  app.lesson = io::read_lesson_file(lesson_file("word-order.json"));
  app.lesson_path = lesson_file("word-order.json");
  Selection selection;
  Commands commands;
  go_to_step(app, selection, 7);
  const double loss = app.session.trace().loss();

  std::promise<void> go;
  std::shared_future<void> released = go.get_future().share();
  app.opening = std::make_unique<LessonLoader>("reverse.json", [released](LoadProgress& progress) {
    progress.set("building the model");
    released.wait();
    return read_lesson_session(lesson_file("reverse.json"), progress);
  });
  for (int i = 0; i < 6000 && app.opening->progress().find("building") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(app.opening->progress(), "Opening reverse.json: building the model …");
  commands.push(GoToStep{9});  // the old lesson still answers
  const Effects waiting = apply_commands(commands, app, selection);
  EXPECT_FALSE(waiting.lesson_changed);
  EXPECT_EQ(selection.step, 9);
  EXPECT_EQ(app.lesson_path, lesson_file("word-order.json"));
  EXPECT_EQ(app.session.trace().loss(), loss);

  go.set_value();
  const Effects opened = until_opened(commands, app, selection);
  EXPECT_TRUE(opened.lesson_changed);
  EXPECT_TRUE(opened.recent_changed);
  EXPECT_FALSE(app.opening);
  EXPECT_EQ(app.lesson_path, lesson_file("reverse.json"));
  ASSERT_FALSE(app.recent_files.empty());
  EXPECT_EQ(app.recent_files.front(), lesson_file("reverse.json"));
  EXPECT_EQ(selection.step, app.lesson->step);
}

TEST(OpeningLesson, ARefusedLessonChangesNothing) {
  AppState app{Session(to_preset(io::read_lesson_file(lesson_file("word-order.json"))))};
  app.lesson_path = lesson_file("word-order.json");
  Selection selection;
  Commands commands;
  go_to_step(app, selection, 5);
  const std::uint64_t generation = app.generation;
  commands.push(FileAction{FileAction::Kind::open_lesson, "/no/such/lesson.json"});
  const Effects effects = until_opened(commands, app, selection);
  EXPECT_FALSE(effects.lesson_changed);
  EXPECT_FALSE(effects.recent_changed);
  EXPECT_NE(app.file_message.find("lesson.json"), std::string::npos) << app.file_message;
  EXPECT_EQ(app.generation, generation);
  EXPECT_EQ(app.lesson_path, lesson_file("word-order.json"));
  EXPECT_EQ(selection.step, 5);
}

class OpeningAtLaunch : public HeadlessUi {};

// At launch the window shows the progress line alone; the lesson's panels come when it is ready.
TEST_F(OpeningAtLaunch, TheWindowDrawsAProgressLineUntilTheLessonIsReady) {
  std::promise<void> go;
  std::shared_future<void> released = go.get_future().share();
  app.stand_in = true;
  app.opening = std::make_unique<LessonLoader>("reverse.json", [released](LoadProgress& progress) {
    progress.set("building the model");
    released.wait();
    return read_lesson_session(lesson_file("reverse.json"), progress);
  });
  frames(3);
  for (int i = 0; i < 6000 && app.opening->progress().find("building") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const ImGuiWindow* opening = ImGui::FindWindowByName("##opening");
  ASSERT_NE(opening, nullptr);
  EXPECT_TRUE(opening->Active);
  const ImGuiWindow* detail = ImGui::FindWindowByName("###Step detail");
  EXPECT_TRUE(detail == nullptr || !detail->Active);
  EXPECT_EQ(app.opening->progress(), "Opening reverse.json: building the model …");

  go.set_value();
  for (int i = 0; i < 6000 && app.stand_in; ++i) {
    frame();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(app.stand_in);
  EXPECT_EQ(app.lesson_path, lesson_file("reverse.json"));
  frames(2);
  EXPECT_FALSE(ImGui::FindWindowByName("##opening")->Active);
  ASSERT_NE(ImGui::FindWindowByName("###Step detail"), nullptr);
  EXPECT_TRUE(ImGui::FindWindowByName("###Step detail")->Active);
}

}  // namespace
}  // namespace attnviz::views
