#pragma once
// A lesson opened on a thread of its own: building the model and its first forward + backward
// take seconds at the paper's base size, while the window keeps drawing the lesson that was
// open and a progress line.  The result replaces the session between frames, in one go.

#include "model/lesson.h"
#include "model/reference.h"
#include "model/session.h"

#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace attnviz::views {

// What the opening thread is doing, in words; written by it, read by the window.
class LoadProgress {
 public:
  void set(std::string stage);
  std::string text() const;

 private:
  mutable std::mutex mutex_;
  std::string stage_;
};

struct LoadedLesson {
  Session session;
  std::optional<Lesson> lesson;             // none: a preset
  std::string path;                         // the lesson's file (empty for a preset)
  std::optional<ReferenceCheck> reference;  // the lesson's reference, checked on its example
};

class LessonLoader {
 public:
  using Build = std::function<LoadedLesson(LoadProgress&)>;
  // Starts `build` on a new thread; `what` names the file ("paper-base.json").
  LessonLoader(std::string what, Build build);
  ~LessonLoader();  // waits for the thread
  LessonLoader(const LessonLoader&) = delete;
  LessonLoader& operator=(const LessonLoader&) = delete;

  const std::string& what() const { return what_; }
  // "Opening paper-base.json: building the model …"
  std::string progress() const;
  bool done() const;
  // Once done(): the lesson, or rethrows what the build threw.  Once only.
  LoadedLesson take();

 private:
  std::string what_;
  LoadProgress progress_;
  mutable std::mutex mutex_;
  bool done_ = false;
  std::optional<LoadedLesson> result_;
  std::exception_ptr error_;
  std::thread thread_;
};

// Reads the lesson file at `path` (io::read_lesson_file), with where it opens (open.panel) and
// the panels of its tour checked against the panel registry.  Throws InputError naming the file and the field.
Lesson read_lesson(const std::string& path);

// Reads the lesson file at `path` (read_lesson), builds its model, loads its weights and runs forward +
// backward, saying which on `progress`; the tour's steps are checked against that trace.  Throws
// InputError naming the file and field.
LoadedLesson read_lesson_session(const std::string& path, LoadProgress& progress);

}  // namespace attnviz::views
