#pragma once
// Training a lesson's model on a background thread, for the window.
//
// The runner's thread alone calls the Trainer's step(), reset() and set_learning_rate(); other
// threads only queue requests (run, pause, one step, reset, a learning rate) and read the
// trainer's published snapshot (weights and curve, copied under the trainer's mutex after each
// step).  `version()` grows with every published step or reset, so the app knows when a new
// snapshot is worth copying into the session.
//
// With `threaded = false` there is no thread: `pump()` runs the queued requests on the caller's
// thread (tests drive training step by step that way).

#include "model/trainer.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace attnviz::views {

class TrainingRunner {
 public:
  // Throws InputError when the lesson cannot be trained (see Trainer).
  TrainingRunner(const Lesson& lesson, bool threaded = true);
  ~TrainingRunner();
  TrainingRunner(const TrainingRunner&) = delete;
  TrainingRunner& operator=(const TrainingRunner&) = delete;

  // Keep stepping until paused or until step `until` (0: the lesson's training.steps, where its
  // shipped weights stop; a run from there or later goes on until paused).
  void run(bool running, int until = 0);
  void step_once();                     // one mini-batch (pauses a run)
  void reset();                         // the seed's initial weights, step 0, empty curve
  void set_learning_rate(double rate);  // from the next step on; ignored unless finite and > 0

  // The positional-encoding experiment (see compare_positional) on a thread of its own; ignored
  // while one runs.  Without `threaded` it runs on the caller's thread.
  void start_positional_experiment();
  bool experiment_running() const { return experiment_running_.load(); }
  std::uint64_t experiment_version() const { return experiment_version_.load(); }
  std::optional<PositionalExperiment> experiment() const;

  // Without a thread: carries out the queued requests, and up to `max_steps` steps of a run.
  void pump(int max_steps = 1);

  bool running() const { return running_.load(); }
  int steps_done() const { return steps_done_.load(); }
  double learning_rate() const { return learning_rate_.load(); }
  std::uint64_t version() const { return version_.load(); }

  // The trainer's last snapshot (thread-safe copies).
  std::vector<Mat> weights() const { return trainer_.published_weights(); }
  std::vector<CurvePoint> curve() const { return trainer_.curve(); }

 private:
  // Takes the queued requests under the lock; true when the trainer should step once.
  bool take_requests(bool& reset, std::optional<double>& rate);
  void carry_out(bool reset, const std::optional<double>& rate, bool step);
  void loop();

  Lesson lesson_;
  bool threaded_;
  Trainer trainer_;
  std::mutex mutex_;              // guards the requests below
  std::condition_variable wake_;
  bool quit_ = false, reset_requested_ = false;
  int steps_requested_ = 0;
  std::optional<double> rate_requested_;

  std::atomic<bool> running_{false};
  int run_until_ = 0;             // a run pauses itself here; guarded by mutex_
  std::atomic<int> steps_done_{0};
  std::atomic<double> learning_rate_{0};
  std::atomic<std::uint64_t> version_{0};
  mutable std::mutex experiment_mutex_;  // guards experiment_
  std::optional<PositionalExperiment> experiment_;
  std::atomic<bool> experiment_running_{false};
  std::atomic<std::uint64_t> experiment_version_{0};
  std::thread experiment_thread_;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace attnviz::views
