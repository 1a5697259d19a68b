#pragma once
// Training a lesson's model on a background thread, for the window.
//
// The runner's thread alone calls the Trainer's step(), reset() and set_learning_rate(); other
// threads only queue requests (run, pause, one step, reset, a learning rate) and copy the
// trainer's weights (under the mutex its updates take) and its curve (published after each
// step).  `version()` grows with every finished step or reset, so the app knows when the
// weights are worth copying into the session.
//
// With `threaded = false` there is no thread: `pump()` runs the queued requests on the caller's
// thread (tests drive training step by step that way).
//
// The Trainer (a second model with Adam's moments: 1.4 GB for the paper's base model) is built on
// the runner's thread when training is first asked for, not when the lesson opens.
//
// A step of a big model takes seconds: progress() tells how far the current one is, and cancel()
// abandons it (the weights stay those of the last finished step).  When the runner falls idle
// its curve gets a point at the last step, so the figures shown are never older than the weights.

#include "model/error.h"
#include "model/trainer.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace attnviz::views {

// The weights a lesson opened with, to go back to: their words ("the lesson's trained weights
// (word-order.safetensors)") and how to put them into a model's parameters again (read from the
// file once more, not kept in memory: the paper's base model has 360 MB of them).
struct LessonWeights {
  std::string words;
  std::function<void(Parameters&)> load;  // throws on a file that is gone or changed
};

enum class ResetTo : std::uint8_t { lesson, seed };

// How far the step being computed is: `done` of `total` examples of its mini-batch.
struct StepProgressInfo {
  bool busy = false;
  int done = 0, total = 0;
};

class TrainingRunner {
 public:
  // Throws InputError when the lesson cannot be trained (see check_trainable).
  // Without `lesson_weights.load` the lesson's weights are the seed's initial weights.
  TrainingRunner(const Lesson& lesson, bool threaded = true, LessonWeights lesson_weights = {});
  ~TrainingRunner();
  TrainingRunner(const TrainingRunner&) = delete;
  TrainingRunner& operator=(const TrainingRunner&) = delete;

  // Keep stepping until paused or until step `until` (0: the lesson's training.steps, where its
  // shipped weights stop; a run from there or later goes on until paused).
  void run(bool running, int until = 0);
  void step_once();  // one mini-batch (pauses a run)
  // Step 0 on the lesson's weights or the seed's initial weights; Adam's moments and the curve
  // start again.
  void reset(ResetTo to = ResetTo::seed);
  void cancel();  // pauses, drops queued steps, abandons the current one
  StepProgressInfo progress() const;
  void set_learning_rate(double rate);  // from the next step on; ignored unless finite and > 0

  // The positional-encoding experiment (see compare_positional) on a thread of its own; ignored
  // while one runs.  Without `threaded` it runs on the caller's thread.
  // A model too large for two trainers at once is refused (experiment_problem()).
  void start_positional_experiment();
  void cancel_experiment() { experiment_cancel_ = true; }
  bool experiment_running() const { return experiment_running_.load(); }
  // Steps of the first run done, of the lesson's steps.
  std::pair<int, int> experiment_progress() const { return {experiment_done_.load(), lesson_.training.steps}; }
  InputError experiment_problem() const;  // why the last experiment was refused or failed (empty: it was not)
  std::uint64_t experiment_version() const { return experiment_version_.load(); }
  std::optional<PositionalExperiment> experiment() const;

  // Without a thread: carries out the queued requests, and up to `max_steps` steps of a run.
  void pump(int max_steps = 1);

  bool running() const { return running_.load(); }
  int steps_done() const { return steps_done_.load(); }
  double learning_rate() const { return learning_rate_.load(); }
  std::uint64_t version() const { return version_.load(); }
  // What the trainer's weights started from at its last reset: "seed 1's initial weights" or the
  // lesson's words (thread-safe copy).
  std::string start_words() const;
  std::string seed_words() const;
  const std::string& lesson_words() const { return lesson_weights_.words; }
  int train_pairs() const { return train_pairs_; }
  int held_pairs() const { return held_pairs_; }
  std::string problem() const;  // why the last reset to the lesson's weights failed

  // The session's run on the trainer's newest weights, computed on the runner's thread so the
  // window's thread never runs a big model's forward + backward: request_run() asks for it (the
  // latest request wins; without a thread it is computed at once), give_run() hands it to the
  // session once it is ready (the weights copied, the trace and gradients swapped) and returns
  // the version of the weights it ran on.  The trainer waits from a run's end until it is given,
  // so the run stays that of the newest weights; a reset or cancel drops it.
  void request_run(const Example& example);
  struct GivenRun {
    Session::RunTaken taken = Session::RunTaken::other_example;
    std::uint64_t version = 0;
  };
  std::optional<GivenRun> give_run(Session& session);
  bool run_requested() const;

  // The trainer's weights after its last finished step, and its curve (thread-safe copies).
  // Empty until the trainer is built.
  std::vector<Mat> weights() const;
  std::vector<CurvePoint> curve() const;

 private:
  // Takes the queued requests under the lock; true when the trainer should step once.
  bool take_requests(std::optional<ResetTo>& reset, std::optional<double>& rate);
  void carry_out(const std::optional<ResetTo>& reset, const std::optional<double>& rate, bool step);
  void reset_trainer(ResetTo to);
  bool report(int done, int total);
  void settle();
  void serve_run_request();
  Trainer& trainer();  // built on first use, on the runner's thread
  void loop();

  Lesson lesson_;
  bool threaded_;
  LessonWeights lesson_weights_;
  std::unique_ptr<Trainer> trainer_;
  std::atomic<bool> built_{false};      // trainer_ exists (set once, after it is built)
  std::optional<double> pending_rate_;  // a rate chosen before the trainer was built
  int train_pairs_ = 0, held_pairs_ = 0;
  mutable std::mutex mutex_;  // guards the requests below, start_words_ and problem_
  std::condition_variable wake_;
  bool quit_ = false;
  std::optional<ResetTo> reset_requested_;
  std::string start_words_, problem_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> busy_{false};
  std::atomic<int> done_{0}, total_{0};
  int steps_requested_ = 0;
  std::optional<double> rate_requested_;
  std::optional<Example> run_wanted_;  // a session's example waiting for its run
  bool run_ready_ = false;             // the trainer holds that run; it waits until given
  std::uint64_t run_version_ = 0;      // the weights' version it ran on

  std::atomic<bool> running_{false};
  int run_until_ = 0;  // a run pauses itself here; guarded by mutex_
  std::atomic<int> steps_done_{0};
  std::atomic<double> learning_rate_{0};
  std::atomic<std::uint64_t> version_{0};
  mutable std::mutex experiment_mutex_;  // guards experiment_
  std::optional<PositionalExperiment> experiment_;
  std::atomic<bool> experiment_running_{false}, experiment_cancel_{false};
  std::atomic<int> experiment_done_{0};
  InputError experiment_problem_{""};  // guarded by experiment_mutex_
  std::atomic<std::uint64_t> experiment_version_{0};
  std::thread experiment_thread_;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace attnviz::views
