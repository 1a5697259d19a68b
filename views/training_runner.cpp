#include "views/training_runner.h"

#include "model/error.h"
#include "model/translatable.h"
#include "views/i18n.h"

#include <cmath>
#include <limits>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace attnviz::views {

TrainingRunner::TrainingRunner(const Lesson& lesson, bool threaded, LessonWeights lesson_weights)
    : lesson_(lesson),
      threaded_(threaded),
      lesson_weights_(std::move(lesson_weights)),
      start_words_(seed_words()),
      learning_rate_(lesson.training.learning_rate) {
  check_trainable(lesson, lesson.training);
  std::vector<SentencePair> train, held;
  split_pairs(make_pairs(lesson.task, lesson.task.seed), lesson.task.held_out, lesson.task.seed, train, held);
  train_pairs_ = static_cast<int>(train.size());
  held_pairs_ = static_cast<int>(held.size());
  if (lesson_weights_.words.empty()) lesson_weights_.words = seed_words();
  if (threaded) thread_ = std::thread([this] { loop(); });
}

Trainer& TrainingRunner::trainer() {
  if (!trainer_) {
    const bool was_busy = busy_.exchange(true);
    trainer_ = std::make_unique<Trainer>(lesson_, lesson_.training);
    if (pending_rate_) trainer_->set_learning_rate(*pending_rate_);
    busy_ = was_busy;
    built_ = true;
  }
  return *trainer_;
}

std::vector<Mat> TrainingRunner::weights() const {
  return built_.load() ? trainer_->published_weights() : std::vector<Mat>{};
}

std::vector<CurvePoint> TrainingRunner::curve() const {
  return built_.load() ? trainer_->curve() : std::vector<CurvePoint>{};
}

std::string TrainingRunner::seed_words() const {
  return formatted(tr("seed %llu's initial weights"), static_cast<unsigned long long>(lesson_.training.seed));
}

std::string TrainingRunner::start_words() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return start_words_;
}

std::string TrainingRunner::problem() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return problem_;
}

StepProgressInfo TrainingRunner::progress() const { return {busy_.load(), done_.load(), total_.load()}; }

TrainingRunner::~TrainingRunner() {
  experiment_cancel_ = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (experiment_thread_.joinable()) experiment_thread_.join();
}

void TrainingRunner::start_positional_experiment() {
  if (experiment_running_.exchange(true)) return;
  if (experiment_thread_.joinable()) experiment_thread_.join();
  experiment_cancel_ = false;
  experiment_done_ = 0;
  const auto work = [this] {
    std::optional<PositionalExperiment> result;
    InputError problem("");
    try {
      result = compare_positional(lesson_, lesson_.training, [this](int done, int) {
        experiment_done_ = done;
        return !experiment_cancel_.load();
      });
      if (!result) problem = InputError(N_("the positional-encoding experiment was cancelled"), {});
    } catch (const std::bad_alloc&) {
      problem = InputError(N_("the positional-encoding experiment ran out of memory"), {});
    } catch (const InputError& e) {
      problem = e;
    } catch (const std::exception& e) {
      problem = InputError(e.what());
    }
    {
      std::lock_guard<std::mutex> lock(experiment_mutex_);
      if (result) experiment_ = std::move(result);  // a cancelled or refused run keeps the last one
      experiment_problem_ = problem;
    }
    ++experiment_version_;
    experiment_running_ = false;
  };
  if (threaded_)
    experiment_thread_ = std::thread(work);
  else
    work();
}

InputError TrainingRunner::experiment_problem() const {
  std::lock_guard<std::mutex> lock(experiment_mutex_);
  return experiment_problem_;
}

std::optional<PositionalExperiment> TrainingRunner::experiment() const {
  std::lock_guard<std::mutex> lock(experiment_mutex_);
  return experiment_;
}

void TrainingRunner::run(bool running, int until) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const int planned = lesson_.training.steps;
    run_until_ = until > 0 ? until : steps_done_.load() < planned ? planned : std::numeric_limits<int>::max();
    running_ = running;
  }
  wake_.notify_all();
}

void TrainingRunner::step_once() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    ++steps_requested_;
  }
  wake_.notify_all();
}

void TrainingRunner::reset(ResetTo to) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    run_ready_ = false;
    running_ = false;
    steps_requested_ = 0;
    reset_requested_ = to;
    cancel_ = true;
  }
  wake_.notify_all();
}

void TrainingRunner::cancel() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    run_ready_ = false;
    running_ = false;
    steps_requested_ = 0;
    cancel_ = true;
  }
  wake_.notify_all();
}

void TrainingRunner::set_learning_rate(double rate) {
  if (!std::isfinite(rate) || rate <= 0) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    rate_requested_ = rate;
  }
  learning_rate_ = rate;
  wake_.notify_all();
}

bool TrainingRunner::take_requests(std::optional<ResetTo>& reset, std::optional<double>& rate) {
  cancel_ = false;  // a cancel before this point has already dropped what it meant to stop
  reset = reset_requested_;
  reset_requested_.reset();
  rate = rate_requested_;
  rate_requested_.reset();
  if (steps_requested_ > 0) {
    --steps_requested_;
    return true;
  }
  if (running_.load() && steps_done_.load() >= run_until_) running_ = false;
  return running_.load();
}

// The lesson's weights, read again; a file that cannot be read leaves the trainer as it was.
void TrainingRunner::reset_trainer(ResetTo to) {
  std::string words = seed_words(), problem;
  if (to == ResetTo::lesson && lesson_weights_.load) {
    try {
      trainer().set_weights(lesson_weights_.load);  // all or nothing
      words = lesson_weights_.words;
      trainer().restart();
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      problem_ = formatted(tr("cannot read the lesson's weights again: %s"), e.what());
      return;
    }
  } else {
    trainer().reset();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  start_words_ = words;
  problem_.clear();
}

// Called before each example of a step: publishes how far it is; false once cancelled.
bool TrainingRunner::report(int done, int total) {
  done_ = done;
  total_ = total;
  return !cancel_.load();
}

void TrainingRunner::carry_out(const std::optional<ResetTo>& reset, const std::optional<double>& rate, bool step) {
  if (reset) {
    reset_trainer(*reset);
    steps_done_ = trainer().steps_done();
    ++version_;
  }
  if (rate) {
    try {
      if (trainer_)
        trainer_->set_learning_rate(*rate);
      else
        pending_rate_ = *rate;
    } catch (const InputError&) {}
  }
  if (step) {
    Trainer& t = trainer();
    busy_ = true;
    const bool finished = t.step([this](int done, int total) { return report(done, total); });
    busy_ = false;
    if (finished) {
      steps_done_ = trainer().steps_done();
      ++version_;
    }
  }
}

// Idle: the curve's last point at the last step, so its figures match the weights shown.
void TrainingRunner::settle() {
  if (!trainer_) return;
  const std::size_t points = trainer_->curve().size();
  busy_ = true;
  trainer_->record_point_now();
  busy_ = false;
  if (trainer_->curve().size() != points) ++version_;
}

void TrainingRunner::request_run(const Example& example) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    run_wanted_ = example;
  }
  if (threaded_)
    wake_.notify_all();
  else
    serve_run_request();
}

bool TrainingRunner::run_requested() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return run_wanted_.has_value() || run_ready_;
}

// On the trainer's thread, between steps.
void TrainingRunner::serve_run_request() {
  std::optional<Example> wanted;
  std::uint64_t version = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (run_ready_) return;
    wanted.swap(run_wanted_);
    if (!trainer_) return;  // nothing trained yet: the session's own run is the one
    version = version_.load();
  }
  if (!wanted) return;
  busy_ = true;
  trainer_->run_for(*wanted);
  busy_ = false;
  std::lock_guard<std::mutex> lock(mutex_);
  run_ready_ = true;
  run_version_ = version;
}

std::optional<TrainingRunner::GivenRun> TrainingRunner::give_run(Session& session) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!run_ready_) return std::nullopt;
  run_ready_ = false;
  const GivenRun given{trainer_->give_run(session), run_version_};
  lock.unlock();
  wake_.notify_all();
  return given;
}

void TrainingRunner::pump(int max_steps) {
  for (int i = 0; i < max_steps; ++i) {
    std::optional<ResetTo> reset;
    std::optional<double> rate;
    bool step = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      step = take_requests(reset, rate);
    }
    if (!step && !reset && !rate) break;
    carry_out(reset, rate, step);
  }
  bool idle = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    idle = !running_.load() && steps_requested_ == 0;
  }
  if (idle) settle();
  serve_run_request();
}

void TrainingRunner::loop() {
  // A lower priority than the window's thread: on a loaded machine frames come first.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  for (;;) {
    std::optional<ResetTo> reset;
    std::optional<double> rate;
    bool step = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // The trainer holds a run for the window: no step or evaluation until it is given.
      wake_.wait(lock, [this] { return quit_ || !run_ready_; });
      const auto work = [this] {
        return quit_ || run_ready_ || running_.load() || steps_requested_ > 0 || reset_requested_ ||
               rate_requested_.has_value() || run_wanted_.has_value();
      };
      if (!work()) {
        lock.unlock();
        settle();
        lock.lock();
      }
      wake_.wait(lock, work);
      if (quit_) return;
      if (run_ready_) continue;
      step = take_requests(reset, rate);
    }
    carry_out(reset, rate, step);
    serve_run_request();
  }
}

}  // namespace attnviz::views
