#include "views/training_runner.h"

#include "model/error.h"

#include <cmath>
#include <limits>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace attnviz::views {

TrainingRunner::TrainingRunner(const Lesson& lesson, bool threaded)
    : lesson_(lesson), threaded_(threaded), trainer_(lesson, lesson.training),
      learning_rate_(lesson.training.learning_rate) {
  if (threaded) thread_ = std::thread([this] { loop(); });
}

TrainingRunner::~TrainingRunner() {
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
  const auto work = [this] {
    std::optional<PositionalExperiment> result;
    try {
      result = compare_positional(lesson_, lesson_.training);
    } catch (const std::exception&) {
    }
    {
      std::lock_guard<std::mutex> lock(experiment_mutex_);
      experiment_ = std::move(result);
    }
    ++experiment_version_;
    experiment_running_ = false;
  };
  if (threaded_) experiment_thread_ = std::thread(work);
  else work();
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

void TrainingRunner::reset() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    steps_requested_ = 0;
    reset_requested_ = true;
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

bool TrainingRunner::take_requests(bool& reset, std::optional<double>& rate) {
  reset = reset_requested_;
  reset_requested_ = false;
  rate = rate_requested_;
  rate_requested_.reset();
  if (steps_requested_ > 0) {
    --steps_requested_;
    return true;
  }
  if (running_.load() && steps_done_.load() >= run_until_) running_ = false;
  return running_.load();
}

void TrainingRunner::carry_out(bool reset, const std::optional<double>& rate, bool step) {
  if (reset) {
    trainer_.reset();
    steps_done_ = 0;
    ++version_;
  }
  if (rate) {
    try {
      trainer_.set_learning_rate(*rate);
    } catch (const InputError&) {
    }
  }
  if (step) {
    trainer_.step();
    steps_done_ = trainer_.steps_done();
    ++version_;
  }
}

void TrainingRunner::pump(int max_steps) {
  for (int i = 0; i < max_steps; ++i) {
    bool reset = false;
    std::optional<double> rate;
    bool step = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      step = take_requests(reset, rate);
    }
    if (!step && !reset && !rate) return;
    carry_out(reset, rate, step);
  }
}

void TrainingRunner::loop() {
  // A lower priority than the window's thread: on a loaded machine frames come first.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  for (;;) {
    bool reset = false;
    std::optional<double> rate;
    bool step = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] {
        return quit_ || running_.load() || steps_requested_ > 0 || reset_requested_ || rate_requested_.has_value();
      });
      if (quit_) return;
      step = take_requests(reset, rate);
    }
    carry_out(reset, rate, step);
  }
}

}  // namespace attnviz::views
