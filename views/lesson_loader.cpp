#include "views/lesson_loader.h"

#include "model/error.h"
#include "model/io/lesson_file.h"
#include "model/io/safetensors.h"
#include "model/quote.h"
#include "model/translatable.h"
#include "views/i18n.h"
#include "views/panels.h"

#include <filesystem>
#include <utility>

namespace attnviz::views {

void LoadProgress::set(std::string stage) {
  std::lock_guard lock(mutex_);
  stage_ = std::move(stage);
}

std::string LoadProgress::text() const {
  std::lock_guard lock(mutex_);
  return stage_;
}

LessonLoader::LessonLoader(std::string what, Build build) : what_(std::move(what)) {
  progress_.set(N_("starting"));
  thread_ = std::thread([this, build = std::move(build)] {
    std::optional<LoadedLesson> result;
    std::exception_ptr error;
    try {
      result.emplace(build(progress_));
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(mutex_);
    result_ = std::move(result);
    error_ = error;
    done_ = true;
  });
}

LessonLoader::~LessonLoader() {
  if (thread_.joinable()) thread_.join();
}

std::string LessonLoader::progress() const {
  return formatted(tr("Opening %s: %s …"), what_.c_str(), tr(progress_.text()).c_str());
}

bool LessonLoader::done() const {
  std::lock_guard lock(mutex_);
  return done_;
}

LoadedLesson LessonLoader::take() {
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  LoadedLesson loaded = std::move(*result_);
  result_.reset();
  return loaded;
}

Lesson read_lesson(const std::string& path) {
  Lesson lesson = io::read_lesson_file(path);
  try {
    lesson_opening(lesson);
    for (std::size_t i = 0; i < lesson.tour.size(); ++i) tour_panel(lesson.tour[i], i);
  } catch (const InputError& e) {
    throw within(printable(path, 200), e);
  }
  return lesson;
}

LoadedLesson read_lesson_session(const std::string& path, LoadProgress& progress) {
  progress.set(N_("reading the lesson"));
  Lesson lesson = read_lesson(path);
  progress.set(N_("building the model and its first forward + backward"));
  Session session(to_preset(lesson));
  if (!lesson.weights.empty()) {
    progress.set(N_("reading the weights"));
    io::read_lesson_weights(path, lesson, session.model().params());
    session.set_weights_origin(formatted(tr("the lesson's trained weights (%s)"),
                                         std::filesystem::path(lesson.weights).filename().string().c_str()));
    progress.set(N_("forward + backward on the lesson's weights"));
    session.rerun();
  }
  try {
    check_tour(lesson.tour, session.trace());
  } catch (const InputError& e) {
    throw within(printable(path, 200), e);
  }
  std::optional<ReferenceCheck> reference;
  if (lesson.reference) reference = check_reference(*lesson.reference, session.trace());
  return LoadedLesson{std::move(session), std::move(lesson), path, std::move(reference)};
}

}  // namespace attnviz::views
