#include "model/analysis/norm_compare.h"

#include "model/analysis/variant.h"
#include "model/error.h"
#include "model/trainer.h"
#include "model/translatable.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace attnviz::analysis {

int NormBatch::real_rows() const { return static_cast<int>(std::count(pad.begin(), pad.end(), 0)); }

Mat layer_norm_rows(const Mat& x, Scalar eps) {
  Mat y(x.rows(), x.cols());
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    const Scalar mean = x.row(r).mean();
    const Scalar var = (x.row(r).array() - mean).square().mean();
    y.row(r) = (x.row(r).array() - mean) / std::sqrt(var + eps);
  }
  return y;
}

FeatureStats feature_stats(const Mat& x, const std::vector<char>& use) {
  FeatureStats s{Mat::Zero(1, x.cols()), Mat::Zero(1, x.cols())};
  const auto used = [&](Eigen::Index r) { return use.empty() || use[static_cast<std::size_t>(r)]; };
  Scalar n = 0;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (used(r)) {
      s.mean += x.row(r);
      n += 1;
    }
  if (n == 0) return s;
  s.mean /= n;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (used(r)) s.var.array() += (x.row(r) - s.mean).array().square();
  s.var /= n;
  return s;
}

Mat batch_norm_rows(const Mat& x, const FeatureStats& stats, Scalar eps) {
  const Eigen::Array<Scalar, 1, Eigen::Dynamic> rstd = 1.0 / (stats.var.array() + eps).sqrt();
  Mat y(x.rows(), x.cols());
  for (Eigen::Index r = 0; r < x.rows(); ++r) y.row(r) = (x.row(r) - stats.mean).array() * rstd;
  return y;
}

std::vector<char> real_rows(const NormBatch& batch) {
  std::vector<char> real(batch.pad.size());
  for (std::size_t r = 0; r < real.size(); ++r) real[r] = !batch.pad[r];
  return real;
}

namespace {

// The LayerNorm step's place in a run and the token sequence its rows follow.
struct NormStep {
  std::string label;
  bool source = true;
  Scalar eps = 0;
};

// Appends <pad> to every sequence of `e` up to the given lengths (a padded batch's row).
Example padded_to(Example e, int src_length, int tgt_length) {
  e.src.resize(static_cast<std::size_t>(std::max<int>(src_length, static_cast<int>(e.src.size()))), e.pad_id);
  const auto tgt = static_cast<std::size_t>(std::max<int>(tgt_length, static_cast<int>(e.tgt_in.size())));
  e.tgt_in.resize(tgt, e.pad_id);
  e.tgt_out.resize(tgt, e.pad_id);
  return e;
}

// Forward runs of a copy of the model, and the LayerNorm step's input in each.
class Runner {
 public:
  // Finds the forward LayerNorm step `label` in a run on `example`; throws InputError when the
  // model has no such step.
  Runner(const Transformer& model, const Example& example, std::string_view label)
      : model_(with_config(model, model.config())) {
    step_.label = std::string(label);
    run_forward(model_, example, trace_);
    const std::optional<int> at = trace_.find_step(label, Phase::forward);
    if (!at || trace_.step(*at).op != OpKind::layer_norm)
      throw InputError(N_("\"%s\" is not a LayerNorm step of this model"), {step_.label});
    const Step& step = trace_.step(*at);
    step_.source = trace_.tensor(step.inputs[0]).rows != Axis::tgt_tokens;
    step_.eps = step.args.eps;
  }
  const NormStep& step() const { return step_; }

  // The step's input for `example` as it is (no padding added).
  const Mat& input_for(const Example& example) {
    run_forward(model_, example, trace_);
    const std::optional<int> at = trace_.find_step(step_.label, Phase::forward);
    if (!at) throw InputError(N_("no forward step \"%s\" in this model's run"), {step_.label});
    return trace_.value(trace_.step(*at).inputs[0]);
  }

  // The examples padded to a common length (at least `least` on both sides) and stacked.
  NormBatch batch(const std::vector<const Example*>& examples, int least = 0) {
    int src_length = least, tgt_length = least;
    for (const Example* e : examples) {
      src_length = std::max(src_length, static_cast<int>(e->src.size()));
      tgt_length = std::max(tgt_length, static_cast<int>(e->tgt_in.size()));
    }
    NormBatch b;
    b.sentences = static_cast<int>(examples.size());
    b.length = step_.source ? src_length : tgt_length;
    const int d = model_.config().d_model;
    b.x.resize(static_cast<Eigen::Index>(b.sentences) * b.length, d);
    for (std::size_t i = 0; i < examples.size(); ++i) {
      const Example e = padded_to(*examples[i], src_length, tgt_length);
      b.x.middleRows(static_cast<Eigen::Index>(i) * b.length, b.length) = input_for(e);
      for (const int token : step_.source ? e.src : e.tgt_in) {
        b.tokens.push_back(token);
        b.pad.push_back(token == e.pad_id);
      }
    }
    return b;
  }

  int max_len() const { return model_.config().max_len; }

 private:
  Transformer model_;
  NormStep step_;
  Trace trace_;
};

bool same_sentence(const Example& a, const Example& b) { return a.src == b.src && a.tgt_in == b.tgt_in; }

Scalar max_abs_over_real(const Mat& m, const std::vector<char>& pad) {
  Scalar most = 0;
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    if (!pad[static_cast<std::size_t>(r)]) most = std::max(most, m.row(r).cwiseAbs().maxCoeff());
  return most;
}

// (1) One sentence: per position, and over its own tokens.
void one_sentence(NormComparison& c, const Mat& own, const std::vector<char>& own_pad) {
  // A batch of one: the statistic of position t, feature c is x[t,c] alone.
  const Mat one_mean = own;
  const Mat one_var = (own - one_mean).cwiseAbs2();
  c.one_position_var_max = one_var.maxCoeff();
  c.one_position_output = ((own - one_mean).array() / (one_var.array() + c.eps).sqrt()).matrix();
  std::vector<char> real(own_pad.size());
  for (std::size_t r = 0; r < real.size(); ++r) real[r] = !own_pad[r];
  c.alone_stats = feature_stats(own, real);
  c.alone = batch_norm_rows(own, c.alone_stats, c.eps);
  c.alone_vs_batch = max_abs_over_real(c.alone - c.batch.sentence(c.batch_norm, 0).topRows(own.rows()), own_pad);
}

}  // namespace

NormComparison compare_norms(const Transformer& model, const Example& current, const std::vector<Example>& pool,
                             std::string_view step_label, int batch_size, int running_limit) {
  validate(model.config(), current);
  Runner runner(model, current, step_label);
  const NormStep& step = runner.step();
  std::vector<const Example*> others;
  for (const Example& e : pool)
    if (!same_sentence(e, current)) others.push_back(&e);
  if (others.empty()) throw InputError(N_("no training sentence besides this one to make a batch with"), {});

  NormComparison c;
  c.step_label = step.label;
  c.source = step.source;
  c.eps = step.eps;

  // Batch A: this sentence and the first others; batch B: this sentence and the next others.
  const auto k = static_cast<std::size_t>(std::max(1, batch_size - 1));
  std::vector<const Example*> a{&current}, b{&current};
  for (std::size_t i = 0; i < std::min(k, others.size()); ++i) a.push_back(others[i]);
  for (std::size_t i = k; i < std::min(2 * k, others.size()); ++i) b.push_back(others[i]);
  if (b.size() == 1) b.insert(b.end(), a.begin() + 1, a.end() - 1);  // a short pool: one fewer

  c.batch = runner.batch(a);
  const std::vector<char> real = real_rows(c.batch);
  c.layer_norm = layer_norm_rows(c.batch.x, c.eps);
  c.batch_stats = feature_stats(c.batch.x, real);
  c.batch_norm = batch_norm_rows(c.batch.x, c.batch_stats, c.eps);

  // This sentence unpadded: its own rows (and the session's own <pad> rows, if it has them).
  const NormBatch own = runner.batch({&current});
  one_sentence(c, own.x, own.pad);

  // (2) Padding.
  c.padded = c.batch.real_rows() < static_cast<int>(c.batch.pad.size()) ? c.batch : runner.batch(a, runner.max_len());
  c.with_pad = feature_stats(c.padded.x);
  c.without_pad = feature_stats(c.padded.x, real_rows(c.padded));
  c.pad_output_change = max_abs_over_real(
      batch_norm_rows(c.padded.x, c.with_pad, c.eps) - batch_norm_rows(c.padded.x, c.without_pad, c.eps), c.padded.pad);

  // (3) Inference: running statistics over training sentences, each run as it is.
  std::vector<const Example*> running(
      others.begin(), others.begin() + std::min<std::ptrdiff_t>(std::max(1, running_limit),
                                                                static_cast<std::ptrdiff_t>(others.size())));
  Mat tokens(0, c.batch.x.cols());
  std::vector<char> running_real;
  for (const Example* e : running) {
    const NormBatch one = runner.batch({e});
    tokens.conservativeResize(tokens.rows() + one.x.rows(), Eigen::NoChange);
    tokens.bottomRows(one.x.rows()) = one.x;
    for (const char p : one.pad) running_real.push_back(!p);
  }
  c.running_sentences = static_cast<int>(running.size());
  c.running = feature_stats(tokens, running_real);
  c.inference_output = batch_norm_rows(own.x, c.running, c.eps);
  c.inference_output_stats = feature_stats(c.inference_output, real_rows(own));

  // (3) The same sentence in another batch.
  c.other = runner.batch(b);
  const FeatureStats other_stats = feature_stats(c.other.x, real_rows(c.other));
  const int t = own.length;
  c.batch_norm_in_other = c.other.sentence(batch_norm_rows(c.other.x, other_stats, c.eps), 0).topRows(t);
  c.batch_difference = c.batch.sentence(c.batch_norm, 0).topRows(t) - c.batch_norm_in_other;
  c.batch_dependence = max_abs_over_real(c.batch_difference, own.pad);
  const Mat ln_other = c.other.sentence(layer_norm_rows(c.other.x, c.eps), 0).topRows(t);
  c.layer_norm_dependence = max_abs_over_real(c.batch.sentence(c.layer_norm, 0).topRows(t) - ln_other, own.pad);
  return c;
}

std::vector<Example> training_examples(const Lesson& lesson, const Config& config, int limit) {
  std::vector<Example> out;
  if (lesson.task.empty()) return out;
  std::vector<SentencePair> train, held;
  split_pairs(make_pairs(lesson.task, lesson.task.seed), lesson.task.held_out, lesson.task.seed, train, held);
  for (const SentencePair& pair : train) {
    if (static_cast<int>(out.size()) >= limit) break;
    try {
      out.push_back(encode_pair(config, lesson.src_vocab, lesson.tgt_vocab, pair));
    } catch (const InputError&) {}
  }
  return out;
}

}  // namespace attnviz::analysis
