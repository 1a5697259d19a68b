#pragma once
// Training a lesson's model: Adam on mini-batches, gradients from run_backward.
//
// A mini-batch of B examples is padded to its longest source and target (padding keys are
// masked, padding targets leave the loss), and its loss is the mean of the examples' losses:
//   L = (1/B) Σ_b L_b,   L_b = mean cross-entropy over b's non-padding target tokens,
// so ∂L/∂θ = (1/B) Σ_b ∂L_b/∂θ: each example runs forward + backward on its own trace and
// the gradients accumulate.
//
// Adam (β₁ 0.9, β₂ 0.98, ε 1e-9 as in the paper), step t = 1, 2, …:
//   m = β₁m + (1 − β₁)g ;  v = β₂v + (1 − β₂)g² ;  θ −= lrate · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
//
// Threads: step(), evaluate() and reset() belong to one thread (the trainer's).  Any other thread
// may call published_weights() and curve() at any time.  The weights are
// written only under a mutex (Adam's update, a reset, set_weights) and those readers copy them
// under it, so a reader never sees a half-updated model and no second copy of the weights is
// kept (360 MB for the paper's base model).  The curve is copied under the mutex after each step.

#include "model/lesson.h"
#include "model/session.h"
#include "model/transformer.h"

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace attnviz {

struct Evaluation {
  double loss = 0;      // mean over examples of the mean cross-entropy per example
  double accuracy = 0;  // teacher-forced: argmax of the output = target, over non-padding tokens
  int tokens = 0;
  std::vector<double> position_accuracy;  // per target position t (the t-th word, then <eos>)
  std::vector<int> position_tokens;       // how many examples have a token at t
};

struct CurvePoint {
  int step = 0;
  double learning_rate = 0;
  double train_loss = 0, train_accuracy = 0;  // the mini-batches since the last point (at step 0:
                                              // the first 256 training examples)
  double held_loss = 0, held_accuracy = 0;    // the whole held-out set
};

// Adam's learning rate at step t ≥ 1 (see TrainingSettings).
double learning_rate_at(const TrainingSettings& settings, int step);

// One pair as a teacher-forced example, padded with `pad_src` and `pad_tgt` tokens.  Throws
// InputError for an unknown word or a sequence longer than max_len.
Example encode_pair(const Config& config, const Vocabulary& src, const Vocabulary& tgt, const SentencePair& pair,
                    int pad_src = 0, int pad_tgt = 0);

// Called before each example of a mini-batch with the examples done so far and the batch size;
// returning false abandons the step (no weight, moment or curve changes).
using StepProgress = std::function<bool(int done, int total)>;

// Throws InputError when a Trainer for this lesson and settings would (without building it):
// an invalid lesson, a lesson without a task, a model over the training memory limit, no
// training pairs.
void check_trainable(const Lesson& lesson, const TrainingSettings& settings);

class Trainer {
 public:
  // The lesson's task split into training and held-out pairs (task.seed); weights initialised
  // from settings.seed.  Throws InputError for a bad lesson or settings.
  Trainer(const Lesson& lesson, const TrainingSettings& settings);

  // One mini-batch and one Adam update; evaluates every eval_every.  False when `progress`
  // abandoned it.
  bool step(const StepProgress& progress = {});
  void train(int steps);  // step() `steps` times
  void reset();           // back to the initial weights (same seed), step 0, empty curve
  // Writes the weights with `load(params)` (under the mutex readers take); throws what it throws.
  void set_weights(const std::function<void(Parameters&)>& load);
  // Step 0 from the weights model().params() holds now (the caller set them): Adam's moments
  // zero, the batch order from the seed again, the curve one point at step 0.
  void restart();
  // A curve point at the current step (training figures over the mini-batches since the last
  // point, held-out over the whole set), unless the curve already ends at this step.
  void record_point_now();
  // A new peak learning rate from the next step on (Adam's moments are kept).  Throws
  // InputError for a rate that is not a positive number.
  void set_learning_rate(double learning_rate);
  Evaluation evaluate_held_out();  // the training pairs when the lesson holds none out
  Evaluation evaluate(const std::vector<Example>& examples);

  int steps_done() const { return step_; }
  const Transformer& model() const { return model_; }
  Transformer& model() { return model_; }
  const TrainingSettings& settings() const { return settings_; }
  const std::vector<SentencePair>& train_pairs() const { return train_pairs_; }
  const std::vector<SentencePair>& held_pairs() const { return held_pairs_; }

  // Forward + backward of `example` (a session's) on the current weights, into the trainer's own
  // trace and gradients, which are scratch between steps: the run a window shows, computed on the
  // trainer's thread.  give_run() hands it to the session until the next step or evaluation.
  void run_for(const Example& example);
  // The last run_for() given to `session` (Session::take_run; the weights copied under the
  // mutex).  Call it on another thread only while the trainer's thread waits.
  Session::RunTaken give_run(Session& session);

  // Thread-safe copies of the weights after the last step, and of the curve.
  std::vector<Mat> published_weights() const;
  std::vector<CurvePoint> curve() const;

 private:
  std::vector<std::size_t> next_batch();
  std::optional<Evaluation> run_batch(const std::vector<std::size_t>& batch, const StepProgress& progress);
  void adam_update(double inv_B);
  void record_point();
  void publish();

  Config config_;
  Vocabulary src_vocab_, tgt_vocab_;
  TrainingSettings settings_;
  std::vector<SentencePair> train_pairs_, held_pairs_;
  std::vector<Example> train_, held_;
  Transformer model_;
  Trace trace_;
  Example ran_for_;         // the example of the last run_for()
  std::vector<Mat> m_, v_;  // Adam's moment estimates, one per parameter
  Random random_;           // batch order
  std::vector<std::size_t> order_;
  std::size_t next_ = 0;
  int step_ = 0;
  double since_loss_ = 0, since_correct_ = 0, since_tokens_ = 0;
  int since_batches_ = 0;
  std::vector<CurvePoint> curve_;

  mutable std::mutex weights_mutex_;  // held while the weights are written or copied out
  std::vector<CurvePoint> published_curve_;
};

// The positional-encoding experiment: the same lesson trained twice from the same seed, with
// the lesson's positional encoding (interleaved if it has none) and with positional = none; the
// two runs train on two threads.
struct PositionalExperiment {
  Evaluation with_pe, without_pe;
  std::vector<CurvePoint> with_curve, without_curve;
};
// Throws InputError when the two trainers at once would need more than the window's memory limit
// (limits().memory_bytes): the paper's base model would need 2 × 1.6 GB.
void check_positional_experiment(const Lesson& lesson);
// `progress(done, total)` before each step of the first run; false stops both (none returned).
std::optional<PositionalExperiment> compare_positional(const Lesson& lesson, const TrainingSettings& settings,
                                                       const StepProgress& progress = {});

}  // namespace attnviz
