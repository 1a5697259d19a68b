// File menu actions on the window's state: a bad lesson or weights file changes nothing and
// says why; weights and lessons saved from the window open again as they were.

#include "model/io/files.h"
#include "model/io/lesson_file.h"
#include "views/controller.h"
#include "views/file_actions.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace attnviz::views {
namespace {

std::string lesson_file(const char* name) { return std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/" + name; }

class FileActions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("attnviz-files-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    app.lesson = io::read_lesson_file(lesson_file("word-order.json"));
    app.lesson_path = lesson_file("word-order.json");
    go_to_step(app, selection, 7);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::string write(const char* name, const std::string& text) {
    const std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // The action, and for a lesson the frames until it is open (it opens on a thread of its own).
  Effects apply(FileAction::Kind kind, const std::string& path) {
    commands.push(FileAction{kind, path});
    Effects all = apply_commands(commands, app, selection);
    for (int i = 0; i < 6000 && app.opening; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      const Effects e = apply_commands(commands, app, selection);
      all.lesson_changed |= e.lesson_changed;
      all.recent_changed |= e.recent_changed;
    }
    return all;
  }
  std::vector<Mat> weights() const {
    std::vector<Mat> w;
    for (const Tensor& t : app.session.model().params()) w.push_back(t.value);
    return w;
  }
  void expect_unchanged(const std::vector<Mat>& before, double loss, std::uint64_t generation) {
    const std::vector<Mat> after = weights();
    ASSERT_EQ(after.size(), before.size());
    for (std::size_t i = 0; i < after.size(); ++i) EXPECT_TRUE((after[i].array() == before[i].array()).all());
    EXPECT_EQ(app.session.trace().loss(), loss);
    EXPECT_EQ(app.generation, generation);
    EXPECT_EQ(app.lesson_path, lesson_file("word-order.json"));
    EXPECT_EQ(selection.step, 7);
    EXPECT_TRUE(app.recent_files.empty());
  }

  std::filesystem::path dir;
  AppState app{Session(to_preset(io::read_lesson_file(lesson_file("word-order.json"))))};
  Selection selection;
  Commands commands;
};

TEST_F(FileActions, BadFilesChangeNothingAndSayWhy) {
  const std::vector<Mat> before = weights();
  const double loss = app.session.trace().loss();
  const std::uint64_t generation = app.generation;
  const std::string bad_lesson = write("bad.json", "{\"title\": \"x\", \"config\": {\"heads\": 3}");
  const std::string bad_weights = write("bad.safetensors", std::string("\x08\0\0\0\0\0\0\0{\"a\":1}x", 16));
  const std::string other_model = std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/weights/reverse.safetensors";
  const struct {
    FileAction::Kind kind;
    std::string path;
  } cases[] = {{FileAction::Kind::open_lesson, bad_lesson},
               {FileAction::Kind::open_lesson, (dir / "missing.json").string()},
               {FileAction::Kind::open_lesson, bad_weights},
               {FileAction::Kind::open_weights, bad_weights},
               {FileAction::Kind::open_weights, bad_lesson},
               {FileAction::Kind::open_weights, (dir / "missing.safetensors").string()},
               {FileAction::Kind::open_weights, other_model},
               {FileAction::Kind::open_weights, ""},
               {FileAction::Kind::save_weights, (dir / "no" / "such" / "folder.safetensors").string()}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    const Effects effects = apply(c.kind, c.path);
    EXPECT_FALSE(effects.lesson_changed);
    EXPECT_FALSE(app.file_message.empty());
    expect_unchanged(before, loss, generation);
    commands.push(DismissFileMessage{});
    apply_commands(commands, app, selection);
    EXPECT_TRUE(app.file_message.empty());
  }
}

TEST_F(FileActions, SavedWeightsAndLessonOpenAgain) {
  const std::string weights_path = (dir / "trained.safetensors").string();
  apply(FileAction::Kind::save_weights, weights_path);
  EXPECT_TRUE(app.file_message.empty()) << app.file_message;
  ASSERT_TRUE(std::filesystem::exists(weights_path));
  EXPECT_FALSE(std::filesystem::exists(weights_path + ".tmp"));
  const std::vector<Mat> saved = weights();
  const double loss = app.session.trace().loss();

  // Other weights, then the saved ones again: bit-identical, the same loss, the same step.
  app.session.model().params().initialise(99);
  app.session.rerun();
  apply(FileAction::Kind::open_weights, weights_path);
  EXPECT_TRUE(app.file_message.empty()) << app.file_message;
  const std::vector<Mat> reread = weights();
  for (std::size_t i = 0; i < saved.size(); ++i) EXPECT_TRUE((reread[i].array() == saved[i].array()).all());
  EXPECT_EQ(app.session.trace().loss(), loss);
  EXPECT_EQ(selection.step, 7);

  // An edited sentence saved with the lesson is the example of the lesson opened from it.
  commands.push(SetSentences{"the dragon saw the king", "용 는 왕 를 봤다"});
  apply_commands(commands, app, selection);
  ASSERT_TRUE(app.sentence_message.empty()) << app.sentence_message;
  const std::string lesson_path = (dir / "edited.json").string();
  apply(FileAction::Kind::save_lesson, lesson_path);
  EXPECT_TRUE(app.file_message.empty()) << app.file_message;
  apply(FileAction::Kind::open_lesson, lesson_file("reverse.json"));
  EXPECT_TRUE(app.file_message.empty()) << app.file_message;
  EXPECT_NE(app.session.src_text(), "the dragon saw the king");
  const Effects effects = apply(FileAction::Kind::open_lesson, lesson_path);
  EXPECT_TRUE(effects.lesson_changed);
  EXPECT_TRUE(effects.recent_changed);
  EXPECT_EQ(app.session.src_text(), "the dragon saw the king");
  EXPECT_EQ(app.lesson_path, lesson_path);
  ASSERT_GE(app.recent_files.size(), 3u);
  EXPECT_EQ(app.recent_files.front(), lesson_path);
}

// A lesson exported from PyTorch opens with its reference checked: agreeing, or disagreeing
// (config edited) and then still opened, with the check for the window to show in red.  Saved
// after its sentences changed, it no longer carries the reference, which was for its example.
TEST_F(FileActions, PyTorchReferenceIsCheckedOnOpening) {
  const std::string fixture = std::string(ATTNVIZ_SOURCE_DIR) + "/tests/pytorch/pre-norm";
  apply(FileAction::Kind::open_lesson, fixture + ".json");
  ASSERT_TRUE(app.file_message.empty()) << app.file_message;
  ASSERT_TRUE(app.reference);
  EXPECT_TRUE(app.reference->agrees) << app.reference->message;

  std::filesystem::copy_file(fixture + ".safetensors", dir / "pre-norm.safetensors");
  std::string text = io::read_file(fixture + ".json", io::max_lesson_bytes);
  text.replace(text.find("\"ln_eps\": 1e-05"), 15, "\"ln_eps\": 1e-06");
  apply(FileAction::Kind::open_lesson, write("pre-norm.json", text));
  ASSERT_TRUE(app.file_message.empty()) << app.file_message;
  ASSERT_TRUE(app.reference);
  EXPECT_FALSE(app.reference->agrees);
  EXPECT_NE(app.reference->message.find("disagrees with PyTorch"), std::string::npos);

  EXPECT_TRUE(current_lesson(app).reference);
  commands.push(SetSentences{"3 1 4", "4 1 3"});
  apply_commands(commands, app, selection);
  EXPECT_EQ(app.session.src_text(), "3 1 4");
  EXPECT_FALSE(current_lesson(app).reference);
}

}  // namespace
}  // namespace attnviz::views
