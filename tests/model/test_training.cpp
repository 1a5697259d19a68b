// Training: Adam's first step by hand, padding that changes nothing, determinism for a seed,
// short runs that lower the held-out loss on every built-in task, the weights handed to other
// threads, and the positional-encoding experiment.

#include "model/error.h"
#include "model/io/lesson_file.h"
#include "model/io/safetensors.h"
#include "model/session.h"
#include "model/trainer.h"
#include "helpers.h"

#include <atomic>
#include <malloc.h>
#include <thread>

#ifdef __SANITIZE_ADDRESS__
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();  // libasan's allocator
#endif

namespace attnviz::testing {
namespace {

const std::string lessons_dir = std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/";

// Bytes of the heap in use (small blocks and mapped ones).
// Bytes the program has allocated and not freed: glibc's count, or AddressSanitizer's, whose
// allocator replaces glibc's (mallinfo2 then reads 0).
std::size_t heap_in_use() {
#ifdef __SANITIZE_ADDRESS__
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#endif
}

Lesson lesson(const std::string& name) { return io::read_lesson_file(lessons_dir + name + ".json"); }

TrainingSettings short_run(const Lesson& l, int steps, int batch = 8) {
  TrainingSettings s = l.training;
  s.steps = steps;
  s.batch_size = batch;
  s.eval_every = steps;
  return s;
}

TEST(Training, WarmupSchedulePeaksAtWarmup) {
  TrainingSettings s;
  s.learning_rate = 0.002;
  s.warmup = 100;
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 100), 0.002);
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 25), 0.0005);
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 400), 0.001);
  s.warmup = 0;
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 7), 0.002);
}

// Padding keys are masked and padding targets leave the loss: the same loss and gradients.
TEST(Training, PaddingChangesNothing) {
  const Lesson l = lesson("tiny-translation");
  Transformer model(l.config, 5);
  Trace trace;
  const SentencePair pair{"merci", "thanks"};
  const double plain = run_forward(model, encode_pair(l.config, l.src_vocab, l.tgt_vocab, pair), trace);
  run_backward(trace);
  std::vector<Mat> grads;
  for (const Tensor& p : model.params()) grads.push_back(p.grad);
  const double padded = run_forward(model, encode_pair(l.config, l.src_vocab, l.tgt_vocab, pair, 2, 3), trace);
  run_backward(trace);
  EXPECT_NEAR(plain, padded, 1e-12);
  for (int i = 0; i < model.params().size(); ++i)
    EXPECT_LT((model.params()[i].grad - grads[static_cast<std::size_t>(i)]).cwiseAbs().maxCoeff(), 1e-12)
        << model.params()[i].name;
}

// One batch holding both pairs: g = (Σ_b ∂L_b/∂θ) / 2, and Adam's first step is
// θ₁ = θ₀ − lr · g / (|g| + ε) (the bias corrections cancel (1 − β) exactly).  Where g is
// rounding noise (a key bias, whose true gradient is 0) the step is noise too: tolerance
// lr · 1e-7.
TEST(Training, FirstAdamStepByHand) {
  const Lesson l = lesson("tiny-translation");
  TrainingSettings s = short_run(l, 1, 2);
  s.learning_rate = 0.01;
  Trainer trainer(l, s);
  Transformer reference(l.config, s.seed);
  Trace trace;
  for (std::size_t b = 0; b < trainer.train_pairs().size(); ++b) {
    run_forward(reference, encode_pair(l.config, l.src_vocab, l.tgt_vocab, trainer.train_pairs()[b]), trace);
    run_backward(trace, b > 0);
  }
  trainer.step();
  for (int i = 0; i < reference.params().size(); ++i) {
    const Tensor& p = reference.params()[i];
    const Mat g = p.grad / 2.0;
    const Mat expected = p.value.array() - 0.01 * g.array() / (g.array().abs() + 1e-9);
    EXPECT_LT((trainer.model().params()[i].value - expected).cwiseAbs().maxCoeff(), 1e-9) << p.name;
  }
}

TEST(Training, DeterministicForASeed) {
  const Lesson l = lesson("word-order");
  Trainer a(l, short_run(l, 3, 4)), b(l, short_run(l, 3, 4));
  TrainingSettings other = short_run(l, 3, 4);
  other.seed = 2;
  Trainer c(l, other);
  a.train(3);
  b.train(3);
  c.train(3);
  const std::vector<Mat> wa = a.published_weights(), wb = b.published_weights(), wc = c.published_weights();
  ASSERT_EQ(wa.size(), wb.size());
  for (std::size_t i = 0; i < wa.size(); ++i) EXPECT_EQ(wa[i], wb[i]);
  EXPECT_NE(wa[0], wc[0]);
  EXPECT_EQ(a.curve().back().held_loss, b.curve().back().held_loss);
}

TEST(Training, ResetReturnsToTheInitialWeights) {
  const Lesson l = lesson("word-order");
  Trainer t(l, short_run(l, 2, 4));
  const std::vector<Mat> initial = t.published_weights();
  t.train(2);
  EXPECT_NE(t.published_weights()[0], initial[0]);
  t.reset();
  EXPECT_EQ(t.steps_done(), 0);
  EXPECT_EQ(t.published_weights()[0], initial[0]);
  EXPECT_EQ(t.curve().size(), 1u);
}

// An abandoned step changes nothing: the next finished step is the one a fresh trainer takes.
TEST(Training, AnAbandonedStepChangesNothing) {
  const Lesson l = lesson("word-order");
  Trainer a(l, short_run(l, 2, 4)), b(l, short_run(l, 2, 4));
  int calls = 0;
  EXPECT_FALSE(a.step([&](int done, int total) {
    EXPECT_EQ(done, calls);
    EXPECT_EQ(total, 4);
    return ++calls < 3;
  }));
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(a.steps_done(), 0);
  EXPECT_EQ(a.published_weights()[0], b.published_weights()[0]);
  EXPECT_TRUE(a.step());
  EXPECT_TRUE(b.step());
  const std::vector<Mat> wa = a.published_weights(), wb = b.published_weights();
  for (std::size_t i = 0; i < wa.size(); ++i) EXPECT_EQ(wa[i], wb[i]);
}

// A point at the current step on demand, once; restart() begins at the weights set by hand.
TEST(Training, PointNowAndRestartFromGivenWeights) {
  const Lesson l = lesson("word-order");
  Trainer t(l, short_run(l, 100, 4));
  t.train(3);
  ASSERT_EQ(t.curve().back().step, 0);
  t.record_point_now();
  t.record_point_now();
  ASSERT_EQ(t.curve().size(), 2u);
  EXPECT_EQ(t.curve().back().step, 3);
  EXPECT_EQ(t.curve().back().held_loss, t.evaluate_held_out().loss);

  const std::vector<Mat> trained = t.published_weights();
  t.train(2);
  Parameters& params = t.model().params();
  for (int i = 0; i < params.size(); ++i) params[i].value = trained[static_cast<std::size_t>(i)];
  t.restart();
  EXPECT_EQ(t.steps_done(), 0);
  EXPECT_EQ(t.published_weights()[0], trained[0]);
  ASSERT_EQ(t.curve().size(), 1u);
  EXPECT_EQ(t.curve().front().held_loss, t.evaluate_held_out().loss);
}

// The session's run made on the trainer's thread and handed over equals the session's own run
// on those weights, tensor by tensor; the trainer's next step is that of a trainer that made no
// such run; another sentence or other shapes change nothing.
TEST(Training, RunForTheSessionEqualsTheSessionsOwnRun) {
  const Lesson l = lesson("word-order");
  Trainer t(l, short_run(l, 3, 4)), twin(l, short_run(l, 3, 4));
  t.train(2);
  twin.train(2);
  Session session(to_preset(l));
  t.run_for(session.example());
  ASSERT_EQ(t.give_run(session), Session::RunTaken::taken);

  Session own(to_preset(l));
  for (int i = 0; i < own.model().params().size(); ++i)
    own.model().params()[i].value = twin.published_weights()[static_cast<std::size_t>(i)];
  own.rerun();
  ASSERT_EQ(session.trace().step_count(), own.trace().step_count());
  EXPECT_EQ(session.trace().loss(), own.trace().loss());
  for (int i = 0; i < own.trace().tensor_count(); ++i) {
    const Tensor& a = session.trace().tensor(own.trace().activation(i));
    const Tensor& b = own.trace().tensor(own.trace().activation(i));
    EXPECT_EQ(a.value, b.value) << b.name;
    EXPECT_EQ(a.grad, b.grad) << b.name;
  }
  for (int i = 0; i < own.model().params().size(); ++i)
    EXPECT_EQ(session.model().params()[i].grad, own.model().params()[i].grad) << own.model().params()[i].name;
  EXPECT_EQ(session.trace().params(), &session.model().params());

  t.train(1);
  twin.train(1);
  for (std::size_t i = 0; i < t.published_weights().size(); ++i)
    EXPECT_EQ(t.published_weights()[i], twin.published_weights()[i]);

  t.run_for(session.example());
  Session other_pair(to_preset(l));
  other_pair.set_sentences("the princess saved the prince", "공주 는 왕자 를 구했다", 0);
  const Scalar loss_before = other_pair.trace().loss();
  EXPECT_EQ(t.give_run(other_pair), Session::RunTaken::other_example);
  EXPECT_EQ(other_pair.trace().loss(), loss_before);

  Lesson wider = l;
  wider.config.d_ff += 2;
  Session wrong(to_preset(wider));
  Trainer u(l, short_run(l, 3, 4));
  u.run_for(wrong.example());
  const Mat before = wrong.model().params()[0].value;
  EXPECT_EQ(u.give_run(wrong), Session::RunTaken::other_shapes);
  EXPECT_EQ(wrong.model().params()[0].value, before);
}

// A short run on each built-in task lowers the held-out loss.
TEST(Training, ShortRunsLowerTheHeldOutLoss) {
  for (const char* name : {"word-order", "reverse", "copy", "tiny-translation"}) {
    const Lesson l = lesson(name);
    Trainer t(l, short_run(l, 15, 4));
    const double before = t.curve().front().held_loss;
    t.train(15);
    const std::vector<CurvePoint> curve = t.curve();
    ASSERT_EQ(curve.size(), 2u) << name;
    EXPECT_EQ(curve.back().step, 15);
    EXPECT_LT(curve.back().held_loss, before * 0.9) << name;
  }
}

// Another thread reads the published weights while the trainer steps: every copy is whole.
TEST(Training, PublishedWeightsAreWholeCopies) {
  const Lesson l = lesson("word-order");
  Trainer t(l, short_run(l, 10, 2));
  std::atomic<bool> done = false;
  std::atomic<int> reads = 0;
  std::thread reader([&] {
    while (!done) {
      const std::vector<Mat> w = t.published_weights();
      EXPECT_EQ(w.size(), static_cast<std::size_t>(t.model().params().size()));
      for (const Mat& m : w) EXPECT_TRUE(all_finite(m));
      ++reads;
    }
  });
  while (reads == 0) std::this_thread::yield();  // the reader is running before training starts
  t.train(10);
  done = true;
  reader.join();
  const std::vector<Mat> w = t.published_weights();
  for (int i = 0; i < t.model().params().size(); ++i)
    EXPECT_EQ(w[static_cast<std::size_t>(i)], t.model().params()[i].value);
}

// The heap a Trainer takes, in parameter-sized copies: weights, gradients and Adam's two moments
// (4), plus its trace and examples; no fifth copy of the weights for other threads to read.
TEST(Training, HoldsFourCopiesOfTheParameters) {
  Lesson l = lesson("word-order");
  l.config.d_model = 256;
  l.config.d_ff = 1024;
  const TrainingSettings settings = short_run(l, 1, 2);
  const std::size_t before = heap_in_use();
  Trainer t(l, settings);
  const double copies = static_cast<double>(heap_in_use() - before) /
                        (static_cast<double>(t.model().params().scalar_count()) * sizeof(double));
  RecordProperty("copies", std::to_string(copies));
  EXPECT_GT(copies, 3.9);
  EXPECT_LT(copies, 4.5);
}

TEST(Training, LearningRateChangesBetweenSteps) {
  const Lesson l = lesson("tiny-translation");
  Trainer a(l, short_run(l, 2, 2)), b(l, short_run(l, 2, 2));
  b.set_learning_rate(l.training.learning_rate * 2);
  a.step();
  b.step();
  // Adam's first step is lr · g / (|g| + ε): twice the rate, twice the change.
  const Mat initial = Transformer(l.config, l.training.seed).params()[0].value;
  const Mat step_a = a.model().params()[0].value - initial, step_b = b.model().params()[0].value - initial;
  EXPECT_LT((step_b - 2 * step_a).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_GT(step_a.cwiseAbs().maxCoeff(), 1e-4);
  try {
    b.set_learning_rate(-1);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "learning_rate = -1.000000: must be a positive number");
  }
}

TEST(Training, BadSettingsAreRefused) {
  const Lesson l = lesson("word-order");
  TrainingSettings s = l.training;
  s.batch_size = 0;
  try {
    Trainer t(l, s);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "training.batch_size = 0: must be at least 1");
  }
}

// Without positional encoding the encoder is blind to word order: "the A V the B" and
// "the B V the A" give the same memory, so the decoder's first word (the subject) is the same
// for both, and right for at most one of them.
TEST(PositionalExperiment, WithoutPositionalEncodingMirrorImagesLookAlike) {
  Lesson l = lesson("word-order");
  l.config.positional = Positional::none;
  Transformer model(l.config, 1);
  Trace trace;
  const auto first_word_probs = [&](const SentencePair& p) {
    run_forward(model, encode_pair(l.config, l.src_vocab, l.tgt_vocab, {p.src, "왕자 는 공주 를 구했다"}), trace);
    const Step& loss = trace.step(trace.forward_count() - 1);
    return Mat(trace.value(loss.outputs[1]).row(0));
  };
  const Mat a = first_word_probs({"the prince saved the princess", ""});
  const Mat b = first_word_probs({"the princess saved the prince", ""});
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-12);
  l.config.positional = Positional::interleaved;
  Transformer with_pe(l.config, 1);
  run_forward(
      with_pe,
      encode_pair(l.config, l.src_vocab, l.tgt_vocab, {"the prince saved the princess", "왕자 는 공주 를 구했다"}),
      trace);
  const Mat c = trace.value(trace.step(trace.forward_count() - 1).outputs[1]).row(0);
  run_forward(
      with_pe,
      encode_pair(l.config, l.src_vocab, l.tgt_vocab, {"the princess saved the prince", "왕자 는 공주 를 구했다"}),
      trace);
  const Mat d = trace.value(trace.step(trace.forward_count() - 1).outputs[1]).row(0);
  EXPECT_GT((c - d).cwiseAbs().maxCoeff(), 1e-6);
}

// The experiment itself, trained: the subject is a coin flip without positional encoding and
// right with it; the other words are learned either way.
TEST(PositionalExperiment, SubjectAccuracyNeedsPositionalEncoding) {
  const Lesson l = lesson("word-order");
  TrainingSettings s = l.training;
  s.steps = 150;
  s.eval_every = 150;
  const PositionalExperiment e = compare_positional(l, s).value();
  ASSERT_EQ(e.with_pe.position_accuracy.size(), 6u);
  EXPECT_GE(e.with_pe.position_accuracy[0], 0.95);
  EXPECT_GE(e.without_pe.position_accuracy[0], 0.3);
  EXPECT_LE(e.without_pe.position_accuracy[0], 0.7);
  EXPECT_GE(e.without_pe.position_accuracy[4], 0.95);  // the verb
  EXPECT_GE(e.with_pe.accuracy, 0.95);
}

}  // namespace
}  // namespace attnviz::testing

namespace attnviz::testing {
namespace {

// The weights shipped in assets/lessons/weights reach the held-out accuracy their lesson states.
// Two trainers of the paper's base model at once do not fit beside the window: refused before
// anything is built, saying why.
TEST(PositionalExperiment, RefusedWhereTwoTrainersDoNotFit) {
  const Lesson l = lesson("paper-base");
  try {
    check_positional_experiment(l);
    FAIL() << "not refused";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("twice"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(check_positional_experiment(lesson("word-order")));
}

TEST(PositionalExperiment, CancelStopsBothRuns) {
  const Lesson l = lesson("word-order");
  int asked = 0;
  const std::optional<PositionalExperiment> e = compare_positional(l, short_run(l, 50, 4), [&](int done, int total) {
    EXPECT_EQ(total, 50);
    ++asked;
    return done < 3;
  });
  EXPECT_FALSE(e.has_value());
  EXPECT_EQ(asked, 4);
}

TEST(ShippedWeights, ReachTheirLessonsAccuracy) {
  int checked = 0;
  for (const char* name : {"word-order", "reverse", "copy", "tiny-translation"}) {
    const Lesson l = lesson(name);
    ASSERT_FALSE(l.weights.empty()) << name;
    ASSERT_GT(l.training.target_accuracy, 0) << name;
    Trainer t(l, short_run(l, 1));
    io::read_weights(l.weights, t.model().params());
    const Evaluation e = t.evaluate_held_out();
    EXPECT_GE(e.accuracy, l.training.target_accuracy) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

// With the shipped word-order weights the subject is right in every held-out sentence.
TEST(ShippedWeights, WordOrderGetsEverySubjectRight) {
  const Lesson l = lesson("word-order");
  Trainer t(l, short_run(l, 1));
  io::read_weights(l.weights, t.model().params());
  const Evaluation e = t.evaluate_held_out();
  ASSERT_EQ(e.position_accuracy.size(), 6u);
  EXPECT_EQ(e.position_accuracy[0], 1.0);
  EXPECT_EQ(e.position_tokens[0], static_cast<int>(t.held_pairs().size()));
}

}  // namespace
}  // namespace attnviz::testing

namespace attnviz::testing {
namespace {

// What the digit lessons teach: trained, the decoder's cross-attention (averaged over heads) at
// output position t looks at source position T−1−t when reversing and t when copying.
void expect_cross_attention(const char* name, bool reverse) {
  const Lesson l = lesson(name);
  Session session(to_preset(l));
  io::read_weights(l.weights, session.model().params());
  session.rerun();
  const Trace& trace = session.trace();
  const int T = static_cast<int>(session.example().src.size());
  Mat mean = Mat::Zero(T + 1, T);
  for (int h = 0; h < l.config.heads; ++h) {
    const std::optional<TensorId> id = trace.find("decoder.0.cross_attn.head" + std::to_string(h) + ".softmax");
    ASSERT_TRUE(id.has_value());
    mean += trace.value(*id) / l.config.heads;
  }
  for (int t = 0; t < T; ++t) {
    Eigen::Index looked_at = 0;
    mean.row(t).maxCoeff(&looked_at);
    EXPECT_EQ(looked_at, reverse ? T - 1 - t : t) << name << " output position " << t;
    EXPECT_GT(mean(t, looked_at), 0.5) << name << " output position " << t;
  }
}

TEST(ShippedWeights, ReverseAttendsAntiDiagonally) { expect_cross_attention("reverse", true); }
TEST(ShippedWeights, CopyAttendsDiagonally) { expect_cross_attention("copy", false); }

}  // namespace
}  // namespace attnviz::testing

namespace attnviz::testing {
namespace {

// Word order: when the decoder writes the verb (the last Korean word), a cross-attention head
// puts more than half its weight on the English verb in the middle of the sentence, in nearly
// every sentence of the task (145 of 150 with the shipped weights).
TEST(ShippedWeights, WordOrderLooksBackAtTheVerb) {
  const Lesson l = lesson("word-order");
  Session session(to_preset(l));
  io::read_weights(l.weights, session.model().params());
  const std::vector<SentencePair> pairs = make_pairs(l.task, l.task.seed);
  int looked = 0;
  for (const SentencePair& p : pairs) {
    session.set_sentences(p.src, p.tgt, 0);
    double best = 0;
    for (int layer = 0; layer < l.config.decoder_layers; ++layer)
      for (int h = 0; h < l.config.heads; ++h) {
        const std::string name =
            "decoder." + std::to_string(layer) + ".cross_attn.head" + std::to_string(h) + ".softmax";
        best = std::max(best, session.trace().value(*session.trace().find(name))(4, 2));  // output "V", source "V"
      }
    looked += best > 0.5;
  }
  EXPECT_GE(looked, 0.95 * static_cast<double>(pairs.size()));
}

}  // namespace
}  // namespace attnviz::testing
