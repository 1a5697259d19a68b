#include "model/trainer.h"

#include "model/budget.h"
#include "model/error.h"
#include "model/translatable.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <thread>

namespace attnviz {

double learning_rate_at(const TrainingSettings& s, int step) {
  if (s.warmup <= 0) return s.learning_rate;
  const double t = std::max(1, step), w = s.warmup;
  return s.learning_rate * std::min(std::sqrt(w / t), t / w);
}

Example encode_pair(const Config& config, const Vocabulary& src, const Vocabulary& tgt, const SentencePair& pair,
                    int pad_src, int pad_tgt) {
  Example ex = make_example(config, src, tgt, pair.src, pair.tgt, 0);
  ex.src.insert(ex.src.end(), static_cast<std::size_t>(pad_src), ex.pad_id);
  ex.tgt_in.insert(ex.tgt_in.end(), static_cast<std::size_t>(pad_tgt), ex.pad_id);
  ex.tgt_out.insert(ex.tgt_out.end(), static_cast<std::size_t>(pad_tgt), ex.pad_id);
  validate(config, ex);
  return ex;
}

namespace {

std::vector<Example> encode_all(const Config& c, const Vocabulary& src, const Vocabulary& tgt,
                                const std::vector<SentencePair>& pairs) {
  std::vector<Example> out;
  out.reserve(pairs.size());
  for (const SentencePair& p : pairs) out.push_back(encode_pair(c, src, tgt, p));
  return out;
}

// Correct argmax predictions of the last forward pass, per target position.
void count_correct(const Trace& trace, const Example& ex, Evaluation& e) {
  const Step& loss_step = trace.step(trace.forward_count() - 1);
  const Mat& probs = trace.value(loss_step.outputs[1]);  // (T_tgt, V)
  if (e.position_tokens.size() < ex.tgt_out.size()) {
    e.position_tokens.resize(ex.tgt_out.size(), 0);
    e.position_accuracy.resize(ex.tgt_out.size(), 0);
  }
  for (std::size_t t = 0; t < ex.tgt_out.size(); ++t) {
    if (ex.tgt_out[t] == ex.pad_id) continue;
    Eigen::Index best = 0;
    probs.row(static_cast<Eigen::Index>(t)).maxCoeff(&best);
    const bool correct = best == ex.tgt_out[t];
    e.accuracy += correct;
    e.position_accuracy[t] += correct;  // a count until evaluate() divides
    e.position_tokens[t] += 1;
    e.tokens += 1;
  }
}

void finish(Evaluation& e, std::size_t examples) {
  if (examples > 0) e.loss /= static_cast<double>(examples);
  if (e.tokens > 0) e.accuracy /= e.tokens;
  for (std::size_t t = 0; t < e.position_accuracy.size(); ++t)
    if (e.position_tokens[t] > 0) e.position_accuracy[t] /= e.position_tokens[t];
}

// The lesson's config, once the lesson with these settings is known to be valid.
const Config& checked_config(const Lesson& lesson, const TrainingSettings& settings) {
  if (lesson.task.empty())
    throw InputError(N_("the lesson has no task: it shows a model without sentence pairs to train on (a \"task\" of "
                        "pairs or a generator in the lesson file makes it trainable)"),
                     {});
  Lesson with_settings = lesson;
  with_settings.training = settings;
  validate(with_settings);
  check_training_cost(lesson.config);
  return lesson.config;
}

}  // namespace

void check_trainable(const Lesson& lesson, const TrainingSettings& settings) {
  checked_config(lesson, settings);
  std::vector<SentencePair> train, held;
  split_pairs(make_pairs(lesson.task, lesson.task.seed), lesson.task.held_out, lesson.task.seed, train, held);
  if (train.empty()) throw InputError(N_("%s: no training pairs left after the held-out split"), {"task"});
}

Trainer::Trainer(const Lesson& lesson, const TrainingSettings& settings)
    : config_(checked_config(lesson, settings)),
      src_vocab_(lesson.src_vocab),
      tgt_vocab_(lesson.tgt_vocab),
      settings_(settings),
      model_(lesson.config, settings.seed),
      random_(settings.seed) {
  split_pairs(make_pairs(lesson.task, lesson.task.seed), lesson.task.held_out, lesson.task.seed, train_pairs_,
              held_pairs_);
  if (train_pairs_.empty()) throw InputError(N_("%s: no training pairs left after the held-out split"), {"task"});
  train_ = encode_all(config_, src_vocab_, tgt_vocab_, train_pairs_);
  held_ = encode_all(config_, src_vocab_, tgt_vocab_, held_pairs_);
  reset();
}

void Trainer::reset() {
  set_weights([this](Parameters& p) { p.initialise(settings_.seed); });
  restart();
}

void Trainer::set_weights(const std::function<void(Parameters&)>& load) {
  std::lock_guard<std::mutex> lock(weights_mutex_);
  load(model_.params());
}

void Trainer::restart() {
  m_.clear();
  v_.clear();
  for (const Tensor& p : model_.params()) {
    m_.push_back(Mat::Zero(p.value.rows(), p.value.cols()));
    v_.push_back(Mat::Zero(p.value.rows(), p.value.cols()));
  }
  random_ = Random(settings_.seed);
  order_.clear();
  next_ = 0;
  step_ = 0;
  since_loss_ = since_correct_ = since_tokens_ = 0;
  since_batches_ = 0;
  curve_.clear();
  record_point();
  publish();
}

// The next B examples of a seeded shuffle, reshuffled every epoch.
std::vector<std::size_t> Trainer::next_batch() {
  const std::size_t B = static_cast<std::size_t>(settings_.batch_size);
  std::vector<std::size_t> batch;
  while (batch.size() < B) {
    if (next_ >= order_.size()) {
      order_.resize(train_.size());
      for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
      for (std::size_t i = order_.size(); i > 1; --i)
        std::swap(order_[i - 1],
                  order_[std::min(i - 1, static_cast<std::size_t>(random_.uniform() * static_cast<double>(i)))]);
      next_ = 0;
    }
    batch.push_back(order_[next_++]);
  }
  return batch;
}

// Forward + backward of every example of `batch`, padded to the batch's longest, gradients summed
// into the parameters'.  Nothing when `progress` abandons it.
std::optional<Evaluation> Trainer::run_batch(const std::vector<std::size_t>& batch, const StepProgress& progress) {
  std::size_t T_src = 0, T_tgt = 0;
  for (std::size_t i : batch) {
    T_src = std::max(T_src, train_[i].src.size());
    T_tgt = std::max(T_tgt, train_[i].tgt_in.size());
  }
  Evaluation e;
  Example padded;
  for (std::size_t b = 0; b < batch.size(); ++b) {
    if (progress && !progress(static_cast<int>(b), static_cast<int>(batch.size()))) return std::nullopt;
    padded = train_[batch[b]];
    padded.src.resize(T_src, padded.pad_id);
    padded.tgt_in.resize(T_tgt, padded.pad_id);
    padded.tgt_out.resize(T_tgt, padded.pad_id);
    e.loss += run_forward(model_, padded, trace_);
    count_correct(trace_, padded, e);
    run_backward(trace_, b > 0);
  }
  return e;
}

// Adam on g = (1/B) Σ ∂L_b/∂θ, at step step_ (already counted).
void Trainer::adam_update(double inv_B) {
  constexpr double beta1 = 0.9, beta2 = 0.98, epsilon = 1e-9;
  const double lr = learning_rate_at(settings_, step_);
  const double c1 = 1 - std::pow(beta1, step_), c2 = 1 - std::pow(beta2, step_);
  Parameters& params = model_.params();
  std::lock_guard<std::mutex> lock(weights_mutex_);
  for (int i = 0; i < params.size(); ++i) {
    Tensor& p = params[i];
    Mat& m = m_[static_cast<std::size_t>(i)];
    Mat& v = v_[static_cast<std::size_t>(i)];
    m = beta1 * m + ((1 - beta1) * inv_B) * p.grad;
    v.array() = beta2 * v.array() + ((1 - beta2) * inv_B * inv_B) * p.grad.array().square();
    p.value.array() -= (lr / c1) * m.array() / ((v.array() / c2).sqrt() + epsilon);
  }
}

bool Trainer::step(const StepProgress& progress) {
  // An abandoned step leaves the shuffle where it was.
  const Random random_before = random_;
  const std::vector<std::size_t> order_before = order_;
  const std::size_t next_before = next_;
  const std::vector<std::size_t> batch = next_batch();
  const std::optional<Evaluation> e = run_batch(batch, progress);
  if (!e) {
    random_ = random_before;
    order_ = order_before;
    next_ = next_before;
    return false;
  }
  ++step_;
  const double inv_B = 1.0 / static_cast<double>(batch.size());
  adam_update(inv_B);
  since_loss_ += e->loss * inv_B;
  since_correct_ += e->accuracy;
  since_tokens_ += e->tokens;
  since_batches_ += 1;
  if (step_ % settings_.eval_every == 0 || step_ == settings_.steps) record_point();
  publish();
  return true;
}

void Trainer::record_point_now() {
  if (!curve_.empty() && curve_.back().step == step_) return;
  record_point();
  publish();
}

void Trainer::set_learning_rate(double learning_rate) {
  if (!(learning_rate > 0) || !std::isfinite(learning_rate))
    throw InputError(N_("%s: must be a positive number"), {"learning_rate = " + std::to_string(learning_rate)});
  settings_.learning_rate = learning_rate;
}

void Trainer::train(int steps) {
  for (int i = 0; i < steps; ++i) step();
}

Evaluation Trainer::evaluate(const std::vector<Example>& examples) {
  Evaluation e;
  for (const Example& ex : examples) {
    e.loss += run_forward(model_, ex, trace_);
    count_correct(trace_, ex, e);
  }
  finish(e, examples.size());
  return e;
}

Evaluation Trainer::evaluate_held_out() { return evaluate(held_.empty() ? train_ : held_); }

void Trainer::record_point() {
  CurvePoint p;
  p.step = step_;
  p.learning_rate = learning_rate_at(settings_, std::max(1, step_));
  if (since_batches_ > 0) {
    p.train_loss = since_loss_ / since_batches_;
    p.train_accuracy = since_tokens_ > 0 ? since_correct_ / since_tokens_ : 0;
  } else {  // step 0: the first (up to) 256 training examples stand for the set
    const std::vector<Example> first(
        train_.begin(), train_.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(train_.size(), 256)));
    const Evaluation t = evaluate(first);
    p.train_loss = t.loss;
    p.train_accuracy = t.accuracy;
  }
  const Evaluation h = evaluate_held_out();
  p.held_loss = h.loss;
  p.held_accuracy = h.accuracy;
  curve_.push_back(p);
  since_loss_ = since_correct_ = since_tokens_ = 0;
  since_batches_ = 0;
}

void Trainer::publish() {
  std::lock_guard<std::mutex> lock(weights_mutex_);
  published_curve_ = curve_;
}

void Trainer::run_for(const Example& example) {
  ran_for_ = example;
  run_forward(model_, example, trace_);
  run_backward(trace_);
}

Session::RunTaken Trainer::give_run(Session& session) {
  std::lock_guard<std::mutex> lock(weights_mutex_);
  return session.take_run(model_.params(), trace_, ran_for_);
}

std::vector<Mat> Trainer::published_weights() const {
  std::lock_guard<std::mutex> lock(weights_mutex_);
  std::vector<Mat> weights;
  for (const Tensor& p : model_.params()) weights.push_back(p.value);
  return weights;
}

std::vector<CurvePoint> Trainer::curve() const {
  std::lock_guard<std::mutex> lock(weights_mutex_);
  return published_curve_;
}

void check_positional_experiment(const Lesson& lesson) {
  if (lesson.config.recurrent())
    throw InputError(N_("the positional-encoding experiment needs a Transformer: this lesson's model (%s) is recurrent "
                        "and reads word order through its steps"),
                     {to_string(lesson.config.architecture)});
  const double need = 2 * training_bytes(estimate_cost(lesson.config));
  if (need > limits().memory_bytes)
    throw InputError(
        N_("the positional-encoding experiment trains this model twice at once and would need %s, over the "
           "%s limit; try it on a smaller lesson (word order)"),
        {bytes_text(need), bytes_text(limits().memory_bytes)});
}

std::optional<PositionalExperiment> compare_positional(const Lesson& lesson, const TrainingSettings& settings,
                                                       const StepProgress& progress) {
  check_positional_experiment(lesson);
  PositionalExperiment out;
  Lesson with = lesson, without = lesson;
  if (with.config.positional == Positional::none) with.config.positional = Positional::interleaved;
  without.config.positional = Positional::none;
  Trainer a(with, settings);
  Trainer b(without, settings);  // both validated before either trains
  // The two runs share nothing but `stop`: the second trains on its own thread.
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  std::thread second([&] {
    try {
      for (int i = 0; i < settings.steps && !stop.load(); ++i) b.step([&](int, int) { return !stop.load(); });
      out.without_pe = b.evaluate_held_out();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  for (int i = 0; i < settings.steps && !stop.load(); ++i) {
    if (progress && !progress(i, settings.steps))
      stop = true;
    else
      a.step();
  }
  if (!stop.load()) out.with_pe = a.evaluate_held_out();
  second.join();
  if (failure) std::rethrow_exception(failure);
  if (stop.load()) return std::nullopt;
  out.with_curve = a.curve();
  out.without_curve = b.curve();
  return out;
}

}  // namespace attnviz
