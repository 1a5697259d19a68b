// Properties every run must have: probabilities, masks, the chain-rule explanation, flags.

#include "model/explain.h"
#include "model/finite_values.h"
#include "model/presets.h"
#include "helpers.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace attnviz::testing {
namespace {

struct RecordedRun {
  Transformer model;
  Trace trace;
  explicit RecordedRun(const Config& config, const Example& ex, std::uint64_t seed = 5) : model(config, seed) {
    run_forward(model, ex, trace);
    run_backward(trace);
  }
};

TEST(Invariants, SoftmaxRowsSumToOneAndMaskedWeightsAreExactlyZero) {
  RecordedRun run(tiny_config(), tiny_example(2));
  int softmax_steps = 0;
  for (const Step& s : run.trace.steps()) {
    if (s.phase != Phase::forward || s.op != OpKind::softmax) continue;
    ++softmax_steps;
    const Mat& A = run.trace.value(s.outputs[0]);
    const Mat& masked = run.trace.value(s.inputs[0]);
    for (Eigen::Index i = 0; i < A.rows(); ++i) {
      EXPECT_NEAR(A.row(i).sum(), 1.0, 1e-12) << s.label << " row " << i;
      for (Eigen::Index j = 0; j < A.cols(); ++j)
        if (masked(i, j) == -std::numeric_limits<double>::infinity()) {
          EXPECT_EQ(A(i, j), 0.0) << s.label;
        }
    }
  }
  // 2 encoder layers × 2 heads + 2 decoder layers × 2 attentions × 2 heads
  EXPECT_EQ(softmax_steps, 12);
}

TEST(Invariants, LookAheadWeightsAboveTheDiagonalAreZero) {
  RecordedRun run(tiny_config(), tiny_example(0));
  int checked = 0;
  for (const Step& s : run.trace.steps()) {
    if (s.phase != Phase::forward || s.op != OpKind::softmax) continue;
    if (s.where.stack != Stack::decoder || s.where.sublayer != Sublayer::self_attn) continue;
    const Mat& A = run.trace.value(s.outputs[0]);
    for (Eigen::Index i = 0; i < A.rows(); ++i)
      for (Eigen::Index j = i + 1; j < A.cols(); ++j) {
        EXPECT_EQ(A(i, j), 0.0) << s.label;
        ++checked;
      }
  }
  EXPECT_GT(checked, 0);
}

TEST(Invariants, PaddingKeysGetZeroWeightEverywhere) {
  RecordedRun run(tiny_config(), tiny_example(3));
  const int T_src = 8, real_src = 5;
  for (const Step& s : run.trace.steps()) {
    if (s.phase != Phase::forward || s.op != OpKind::softmax) continue;
    const Mat& A = run.trace.value(s.outputs[0]);
    const bool keys_are_source = s.where.stack == Stack::encoder || s.where.sublayer == Sublayer::cross_attn;
    const int real = keys_are_source ? real_src : 4;
    ASSERT_EQ(A.cols(), keys_are_source ? T_src : 7);
    EXPECT_EQ(A.rightCols(A.cols() - real).cwiseAbs().maxCoeff(), 0.0) << s.label;
  }
}

TEST(Invariants, EveryForwardStepHasABackwardTwinInReverseOrder) {
  RecordedRun run(tiny_config(), tiny_example(1));
  const Trace& t = run.trace;
  ASSERT_EQ(t.step_count(), 2 * t.forward_count());
  for (int i = 0; i < t.forward_count(); ++i) {
    const Step& f = t.step(i);
    const Step& b = t.step(f.twin);
    EXPECT_EQ(f.twin, 2 * t.forward_count() - 1 - i);
    EXPECT_EQ(b.twin, i);
    EXPECT_EQ(b.label, f.label);
    EXPECT_EQ(b.phase, Phase::backward);
  }
}

TEST(Invariants, PerHeadStepsAreRecordedWithTheirLabels) {
  RecordedRun run(tiny_config(), tiny_example(0));
  for (const char* label :
       {"encoder.1.self_attn.head1.q", "encoder.1.self_attn.head1.scores", "encoder.1.self_attn.head1.scale",
        "encoder.1.self_attn.head1.mask", "encoder.1.self_attn.head1.softmax", "encoder.1.self_attn.head1.weighted_sum",
        "decoder.0.cross_attn.head0.softmax", "decoder.1.norm3.layer_norm", "encoder.embed.add_pe", "output.generator",
        "output.loss"})
    EXPECT_TRUE(run.trace.find_step(label, Phase::forward).has_value()) << label;
  const Step& s = run.trace.step(*run.trace.find_step("encoder.1.self_attn.head1.softmax", Phase::forward));
  EXPECT_EQ(s.where, (Where{Stack::encoder, 1, Sublayer::self_attn, 1}));
  EXPECT_FALSE(s.formula.empty());
}

// The chain-rule terms of sampled elements of every input of every backward step sum to the
// gradient share that step stored.
TEST(Invariants, ExplainTermsSumToTheStoredGradient) {
  for (auto [norm, activation] : {std::pair{NormPlacement::post, FfnActivation::relu},
                                  {NormPlacement::pre, FfnActivation::relu},
                                  {NormPlacement::pre, FfnActivation::gelu}}) {
    Config config = tiny_config();
    config.norm = norm;
    config.activation = activation;
    RecordedRun run(config, tiny_example(2));
    randomise(run.model.params(), 3);
    run_forward(run.model, tiny_example(2), run.trace);
    run_backward(run.trace);
    EXPECT_GT(expect_explanations_sum_to_stored(run.trace), 500);
  }
}

// An activation read by several steps (the embedding sum: q, k, v and the residual) gets one share
// per reader; each reader's explanation says it is a share, and the shares sum to the gradient.
TEST(Invariants, GradientSharesOfEveryReaderSumToTheStoredGradient) {
  RecordedRun run(tiny_config(), tiny_example(2));
  randomise(run.model.params(), 3);
  run_forward(run.model, tiny_example(2), run.trace);
  run_backward(run.trace);
  const Trace& t = run.trace;
  int shared = 0;
  for (int a = 0; a < t.tensor_count(); ++a) {
    const TensorId id = t.activation(a);
    if (!t.tensor(id).requires_grad || t.readers(id) < 2) continue;
    ++shared;
    const GradientShares g = gradient_shares(t, id, 0, 0);
    EXPECT_EQ(static_cast<int>(g.shares.size()), t.readers(id)) << t.tensor(id).name;
    EXPECT_NEAR(g.sum, g.stored, 1e-12 + 1e-12 * std::abs(g.stored)) << t.tensor(id).name;
    for (const Share& share : g.shares) {
      const Explanation e = explain(t, share.step, share.input, 0, 0);
      EXPECT_TRUE(e.is_share) << t.step(share.step).label;
      EXPECT_EQ(e.stored, share.value);
    }
  }
  EXPECT_GT(shared, 5);
  const int k_back = *t.find_step("encoder.0.self_attn.k_proj", Phase::backward);
  EXPECT_TRUE(explain(t, k_back, 0, 0, 0).is_share);   // X, read by q, k, v and the residual
  EXPECT_FALSE(explain(t, k_back, 1, 0, 0).is_share);  // W_K, a parameter
}

TEST(Invariants, ExplainRejectsWhatDoesNotExist) {
  RecordedRun run(tiny_config(), tiny_example(0));
  const Trace& t = run.trace;
  EXPECT_THROW(explain(t, 0, 0, 0, 0), std::out_of_range);               // a forward step
  EXPECT_THROW(explain(t, t.step_count(), 0, 0, 0), std::out_of_range);  // past the end
  const int last = t.step_count() - 1;                                   // embedding: ids, W
  EXPECT_THROW(explain(t, last, 0, 0, 0), std::out_of_range);            // token ids take no gradient
  EXPECT_THROW(explain(t, last, 1, 999, 0), std::out_of_range);
  EXPECT_THROW(explain(t, last, 5, 0, 0), std::out_of_range);
}

TEST(Invariants, ForwardExplanationOfAScoreIsTheDotProduct) {
  RecordedRun run(tiny_config(), tiny_example(0));
  const int s = *run.trace.find_step("encoder.0.self_attn.head1.scores", Phase::forward);
  const ForwardExplanation e = explain_forward(run.trace, s, 0, 2, 3);
  double sum = 0;
  for (const Term& term : e.terms) sum += term.product();
  EXPECT_EQ(static_cast<int>(e.terms.size()), tiny_config().d_k());
  EXPECT_NEAR(sum, e.value, 1e-12);
}

// Without positional encoding the encoder is permutation-equivariant: permuting the source
// permutes the encoder output rows the same way.  With it, it is not.
TEST(Invariants, PermutingTheSourceWithoutPositionalEncodingPermutesEncoderRows) {
  for (Positional positional : {Positional::none, Positional::interleaved}) {
    Config config = tiny_config();
    config.positional = positional;
    Transformer model(config, 21);
    Example ex = tiny_example(0), swapped = ex;
    std::swap(swapped.src[0], swapped.src[3]);
    Trace a, b;
    run_forward(model, ex, a);
    run_forward(model, swapped, b);
    Mat out_a = a.value(encoder_output(a)), out_b = b.value(encoder_output(b));
    out_b.row(0).swap(out_b.row(3));
    const double difference = (out_a - out_b).cwiseAbs().maxCoeff();
    if (positional == Positional::none)
      EXPECT_LE(difference, 1e-12);
    else
      EXPECT_GT(difference, 1e-3);
  }
}

TEST(Invariants, AFullyMaskedRowGivesZeroWeightsAndIsFlaggedNeverNaN) {
  Transformer model(tiny_config(), 1);
  Example ex = tiny_example(0);
  ex.src = {0, 0, 0};  // every source token is padding
  Trace t;
  const double loss = run_forward(model, ex, t);
  run_backward(t);
  EXPECT_TRUE(std::isfinite(loss));
  const Step& s = t.step(*t.find_step("encoder.0.self_attn.head0.softmax", Phase::forward));
  EXPECT_EQ(s.fully_masked_rows, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(t.value(s.outputs[0]).cwiseAbs().maxCoeff(), 0.0);
  for (const Step& step : t.steps()) EXPECT_FALSE(step.non_finite.has_value()) << step.label;
}

TEST(Invariants, ANonFiniteValueIsFlaggedAtItsFirstElement) {
  Transformer model(tiny_config(), 1);
  const int w = *model.params().find("encoder.layers.0.ffn.linear1.weight");
  model.params()[w].value(3, 2) = std::numeric_limits<double>::quiet_NaN();
  Trace t;
  run_forward(model, tiny_example(0), t);
  const Step& s = t.step(*t.find_step("encoder.0.ffn.linear1", Phase::forward));
  ASSERT_TRUE(s.non_finite.has_value());
  EXPECT_EQ(s.non_finite->row, 0);
  EXPECT_EQ(s.non_finite->col, 3);
  const Step& before = t.step(*t.find_step("encoder.0.norm1.layer_norm", Phase::forward));
  EXPECT_FALSE(before.non_finite.has_value());
}

TEST(Invariants, ANonFiniteValueIsFlaggedAtEveryStepItReaches) {
  Transformer model(tiny_config(), 1);
  const int w = *model.params().find("encoder.layers.0.self_attn.q_proj.weight");
  model.params()[w].value(0, 1) = std::numeric_limits<double>::infinity();  // Q[:, 0]: head 0's
  Trace t;
  run_forward(model, tiny_example(0), t);
  const auto flagged = [&](const std::string& label) {
    return t.step(*t.find_step("encoder.0.self_attn." + label, Phase::forward)).non_finite.has_value();
  };
  for (const char* label : {"q_proj", "head0.q", "head0.scores", "head0.scale", "head0.mask", "head0.softmax",
                            "head0.weighted_sum", "concat", "o_proj"})
    EXPECT_TRUE(flagged(label)) << label;
  for (const char* label : {"k_proj", "head0.k", "head1.q", "head1.scores", "head1.softmax"})
    EXPECT_FALSE(flagged(label)) << label;
}

// run_backward sums and scans a head's share of Q, K or V in its own columns only: the others
// must be +0, and a NaN in its columns is found.
TEST(Invariants, AHeadsShareIsZeroOutsideItsColumnsAndScannedInThem) {
  RecordedRun run(tiny_config(), tiny_example(2));
  Trace& t = run.trace;
  int shares = 0;
  for (const Step& b : t.steps()) {
    if (b.phase != Phase::backward || b.op != OpKind::split_head) continue;
    ASSERT_TRUE(Trace::share_columns(b, 0).has_value()) << b.label;
    const Columns own = *Trace::share_columns(b, 0);
    ASSERT_EQ(own.begin, b.where.head * Eigen::Index{b.args.d_k}) << b.label;
    ASSERT_EQ(own.count, b.args.d_k) << b.label;
    const Mat& share = t.share(b, 0);
    for (Eigen::Index r = 0; r < share.rows(); ++r)
      for (Eigen::Index c = 0; c < share.cols(); ++c)
        if (c < own.begin || c >= own.begin + own.count) {
          EXPECT_EQ(std::bit_cast<std::uint64_t>(share(r, c)), 0u);
        }
    ++shares;
  }
  EXPECT_EQ(shares, 3 * 12);  // Q, K and V of each of the 12 heads' attentions

  const int s = *t.find_step("encoder.0.self_attn.head1.k", Phase::backward);
  Step& b = t.step(s);
  find_non_finite_share(t, b, false);
  EXPECT_FALSE(b.non_finite.has_value());
  const Eigen::Index col = Trace::share_columns(b, 0)->begin + 1;
  b.input_grads[0](2, col) = std::numeric_limits<double>::quiet_NaN();
  find_non_finite_share(t, b, false);
  const std::optional<NonFinite>& found = b.non_finite;
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->row, 2);
  EXPECT_EQ(found->col, col);
}

// A re-run clears only a head's own columns of the share its step left (Step::head_share_kept):
// run after run in one trace, with other shapes and another model in between, every share equals
// a fresh trace's, bit for bit.
TEST(Invariants, AReRunsSharesEqualAFreshRunsShares) {
  // Shares of at least 32 × 576 values: large enough to be kept
  Config wide = tiny_config();
  wide.d_model = 576;
  wide.encoder_layers = wide.decoder_layers = 1;
  wide.max_len = 40;
  Config one_head = wide;
  one_head.heads = 1;
  const Config configs[] = {wide, one_head};
  Trace t;
  // (config, padding): the same run again, other shapes, another model, and back
  for (const auto& [config, example] : {std::pair{0, 28}, {0, 28}, {0, 30}, {0, 28}, {1, 28}, {0, 28}, {0, 28}}) {
    SCOPED_TRACE("config " + std::to_string(config) + ", padding " + std::to_string(example));
    Transformer model(configs[config], 5);
    run_forward(model, tiny_example(example), t);
    run_backward(t);
    RecordedRun fresh(configs[config], tiny_example(example));
    ASSERT_EQ(t.step_count(), fresh.trace.step_count());
    int heads = 0;
    for (int i = fresh.trace.forward_count(); i < t.step_count(); ++i) {
      const Step& a = t.step(i);
      const Step& b = fresh.trace.step(i);
      ASSERT_EQ(a.input_grads.size(), b.input_grads.size()) << a.label;
      for (std::size_t k = 0; k < a.input_grads.size(); ++k) {
        ASSERT_EQ(a.input_grads[k].rows(), b.input_grads[k].rows()) << a.label;
        ASSERT_EQ(a.input_grads[k].cols(), b.input_grads[k].cols()) << a.label;
        if (a.input_grads[k].size() == 0) continue;  // the input's one reader: no share of its own
        EXPECT_EQ(std::memcmp(a.input_grads[k].data(), b.input_grads[k].data(),
                              sizeof(Scalar) * static_cast<std::size_t>(a.input_grads[k].size())),
                  0)
            << a.label;
      }
      heads += a.op == OpKind::split_head;
    }
    EXPECT_EQ(heads, 3 * 3 * configs[config].heads);  // Q, K and V of 3 attentions' heads
  }
}

TEST(Invariants, ReRunningIntoTheSameTraceGivesTheSameNumbers) {
  Transformer model(tiny_config(), 4);
  Trace t;
  const double first = run_forward(model, tiny_example(2), t);
  run_backward(t);
  const Mat grad = model.params()[0].grad;
  run_forward(model, tiny_example(0), t);  // a different shape in between
  run_backward(t);
  EXPECT_EQ(run_forward(model, tiny_example(2), t), first);
  run_backward(t);
  EXPECT_EQ(model.params()[0].grad, grad);
}

TEST(Invariants, EveryGradientIsRewrittenOnAReRun) {
  Transformer fresh_model(tiny_config(), 4);
  Trace fresh;
  run_forward(fresh_model, tiny_example(2), fresh);
  run_backward(fresh);

  Transformer model(tiny_config(), 4);
  Trace t;
  run_forward(model, tiny_example(0), t);  // a different shape first, leaving other gradients
  run_backward(t);
  run_forward(model, tiny_example(2), t);
  run_backward(t);
  for (int i = 0; i < model.params().size(); ++i)
    EXPECT_EQ(model.params()[i].grad, fresh_model.params()[i].grad) << model.params()[i].name;
  ASSERT_EQ(t.tensor_count(), fresh.tensor_count());
  for (int i = 0; i < t.tensor_count(); ++i)
    EXPECT_EQ(t.grad(t.activation(i)), fresh.grad(fresh.activation(i))) << t.tensor(t.activation(i)).name;
  ASSERT_EQ(t.step_count(), fresh.step_count());
  for (int i = t.forward_count(); i < t.step_count(); ++i)
    for (std::size_t k = 0; k < t.step(i).input_grads.size(); ++k)
      EXPECT_EQ(t.step(i).input_grads[k], fresh.step(i).input_grads[k]) << t.step(i).label;
}

TEST(Invariants, AccumulatedParameterGradientsAreSums) {
  Transformer model(tiny_config(), 4);
  randomise(model.params(), 9);
  Trace t;
  run_forward(model, tiny_example(1), t);
  run_backward(t);
  std::vector<Mat> once;
  for (const Tensor& p : model.params()) once.push_back(p.grad);
  run_backward(t, /*accumulate=*/true);
  // Equal up to rounding: a LayerNorm gain or an embedding row adds its terms one token at a time.
  for (int i = 0; i < model.params().size(); ++i) {
    const Mat twice = 2 * once[static_cast<std::size_t>(i)];
    EXPECT_LE((model.params()[i].grad - twice).cwiseAbs().maxCoeff(), 1e-12 * (1 + twice.cwiseAbs().maxCoeff()))
        << model.params()[i].name;
  }
}

TEST(Presets, LessonRunsOnItsSentence) {
  Preset p = make_preset("lesson");
  Transformer model(p.config, 0);
  Example ex = make_example(p.config, p.src_vocab, p.tgt_vocab, p.src_text, p.tgt_text);
  EXPECT_EQ(ex.src.size(), 5u);
  EXPECT_EQ(ex.tgt_in.front(), p.tgt_vocab.bos());
  EXPECT_EQ(ex.tgt_out.back(), p.tgt_vocab.eos());
  Trace t;
  EXPECT_GT(run_forward(model, ex, t), 0.0);
}

}  // namespace
}  // namespace attnviz::testing
