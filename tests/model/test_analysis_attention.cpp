// Attention statistics: a head's tensors, row entropy, and the scaling experiment.

#include "model/analysis/attention.h"
#include "model/error.h"
#include "model/presets.h"
#include "model/session.h"

#include <gtest/gtest.h>

#include <cmath>

namespace attnviz::analysis {
namespace {

TEST(RowEntropy, MatchesTheDefinitionWithMaskedKeysAddingNothing) {
  Mat A(4, 4);
  A << 0.25, 0.25, 0.25, 0.25,  //
      1, 0, 0, 0,               //
      0.5, 0.5, 0, 0,           //
      0.1, 0.2, 0.3, 0.4;
  const Mat H = row_entropy(A);
  ASSERT_EQ(H.rows(), 4);
  ASSERT_EQ(H.cols(), 1);
  EXPECT_NEAR(H(0, 0), std::log(4.0), 1e-15);
  EXPECT_EQ(H(1, 0), 0.0);
  EXPECT_NEAR(H(2, 0), std::log(2.0), 1e-15);
  double expected = 0;
  for (double p : {0.1, 0.2, 0.3, 0.4}) expected -= p * std::log(p);
  EXPECT_NEAR(H(3, 0), expected, 1e-15);
  EXPECT_TRUE(std::isfinite(row_entropy(Mat::Zero(2, 3)).sum()));  // a fully masked row: 0
}

TEST(HeadTensors, FindsEveryTensorOfTheHeadByItsLabel) {
  const Session session(make_preset("lesson"));
  const Trace& trace = session.trace();
  for (AttentionKind kind : {AttentionKind::encoder_self, AttentionKind::decoder_self, AttentionKind::cross}) {
    const HeadRef ref{kind, 1, 2};
    const HeadTensors t = head_tensors(trace, ref);
    const std::string prefix = label_prefix(ref);
    EXPECT_EQ(trace.tensor(t.q).name, prefix + ".q");
    EXPECT_EQ(trace.tensor(t.k).name, prefix + ".k");
    EXPECT_EQ(trace.tensor(t.v).name, prefix + ".v");
    EXPECT_EQ(trace.tensor(t.scores).name, prefix + ".scores");
    ASSERT_TRUE(t.scaled.has_value());
    EXPECT_EQ(trace.tensor(*t.scaled).name, prefix + ".scale");
    EXPECT_EQ(trace.tensor(t.masked).name, prefix + ".mask");
    EXPECT_EQ(trace.tensor(t.weights).name, prefix + ".softmax");
    EXPECT_EQ(trace.tensor(t.output).name, prefix + ".weighted_sum");
    const char* mask = kind == AttentionKind::encoder_self   ? names::src_padding_mask
                       : kind == AttentionKind::decoder_self ? names::decoder_self_mask
                                                             : names::cross_mask;
    EXPECT_EQ(trace.tensor(t.mask).name, mask);
  }
  EXPECT_EQ(label_prefix({AttentionKind::cross, 0, 3}), "decoder.0.cross_attn.head3");
  EXPECT_EQ(label_prefix({AttentionKind::encoder_self, 1, 0}), "encoder.1.self_attn.head0");
}

TEST(HeadTensors, RejectsAHeadTheModelDoesNotHave) {
  const Session session(make_preset("lesson"));
  try {
    head_tensors(session.trace(), {AttentionKind::encoder_self, 0, 4});
    ADD_FAILURE() << "head 4 of 4 accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("head 4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(head_tensors(session.trace(), {AttentionKind::cross, 2, 0}), InputError);
}

TEST(HeadTensors, EveryHeadOfTheGrid) {
  Config c = make_preset("lesson").config;
  c.encoder_layers = 3;
  const std::vector<HeadRef> enc = all_heads(c, AttentionKind::encoder_self);
  const std::vector<HeadRef> cross = all_heads(c, AttentionKind::cross);
  ASSERT_EQ(enc.size(), 12u);
  ASSERT_EQ(cross.size(), 8u);
  EXPECT_EQ(enc[5].layer, 1);
  EXPECT_EQ(enc[5].head, 1);
  EXPECT_EQ(cross[7].attention, AttentionKind::cross);
}

// The hover of one cell: q_i·k_j recomputed from the head's rows, ÷√d_k, the mask, the weight
// and the gradients, with padding so that some cells are masked.
TEST(HeadTensors, CellDetailRecomputesTheScore) {
  Session session(make_preset("lesson"));
  session.set_sentences(session.src_text(), session.tgt_text(), 1);
  const Trace& trace = session.trace();
  const HeadTensors t = head_tensors(trace, {AttentionKind::decoder_self, 1, 2});
  const int T = 7;
  int masked = 0;
  for (int i = 0; i < T; ++i)
    for (int j = 0; j < T; ++j) {
      const CellDetail c = cell_detail(trace, t, i, j);
      ASSERT_EQ(c.q.cols(), 4);
      EXPECT_NEAR(c.dot, c.q.row(0).dot(c.k.row(0)), 1e-12);
      EXPECT_NEAR(c.scaled, c.dot / 2, 1e-12);
      EXPECT_EQ(c.masked, j > i || j == T - 1);
      masked += c.masked;
      if (c.masked) {
        EXPECT_EQ(c.weight, 0);
        EXPECT_EQ(*c.grad_score, 0);
      }
      EXPECT_EQ(c.weight, trace.value(t.weights)(i, j));
      ASSERT_TRUE(c.grad_weight.has_value());
      EXPECT_EQ(*c.grad_weight, trace.grad(t.weights)(i, j));
    }
  EXPECT_EQ(masked, T * (T - 1) / 2 + 1);  // the future, and the <pad> key for the last query
  EXPECT_THROW(cell_detail(trace, t, T, 0), InputError);
  EXPECT_THROW(cell_detail(trace, t, 0, -1), InputError);
}

// A model with d_k = 64 so that the scaling matters (√d_k = 8).
Config wide_head_config(const Preset& p) {
  Config c = p.config;
  c.d_model = 64;
  c.heads = 1;
  c.d_ff = 64;
  return c;
}

// In the first encoder layer both runs compute the same raw scores S, and softmax(βS) has
// entropy that never grows with β (dH/dβ = −β·Var(S) ≤ 0): without 1/√d_k every row is at least
// as peaked.
TEST(ScalingExperiment, FirstLayerRowsAreSharperUnscaled) {
  const Preset p = make_preset("lesson");
  const Example ex = make_example(p.config, p.src_vocab, p.tgt_vocab, p.src_text, p.tgt_text);
  for (const Config& config : {p.config, wide_head_config(p)})
    for (std::uint64_t seed = 0; seed < 3; ++seed) {
      const Transformer model(config, seed);
      for (int head = 0; head < config.heads; ++head) {
        const ScalingComparison c = scaling_experiment(model, ex, {AttentionKind::encoder_self, 0, head});
        ASSERT_EQ(c.scaled.entropy.rows(), 5);
        for (int i = 0; i < 5; ++i)
          EXPECT_LE(c.unscaled.entropy(i, 0), c.scaled.entropy(i, 0) + 1e-12) << "seed " << seed << " head " << head;
        EXPECT_LT(c.unscaled.entropy.sum(), c.scaled.entropy.sum());
        for (const ScalingRun* run : {&c.scaled, &c.unscaled})
          for (int i = 0; i < 5; ++i) EXPECT_NEAR(run->weights.row(i).sum(), 1.0, 1e-12);
      }
    }
}

// The scaled run is the model's own run (the lesson scales by default): the same weights and
// gradients as the session's trace.  ∂L/∂S = (1/√d_k)·∂L/∂S' when scaling (masked cells carry
// no gradient either way), and ∂L/∂S = ∂L/∂S' without it.
TEST(ScalingExperiment, NormsAreTheGradientsOfTheRecordedTensors) {
  const Session session(make_preset("lesson"));
  const Trace& trace = session.trace();
  const double sqrt_dk = std::sqrt(static_cast<double>(session.config().d_k()));
  for (AttentionKind kind : {AttentionKind::encoder_self, AttentionKind::decoder_self, AttentionKind::cross}) {
    const HeadRef ref{kind, 1, 3};
    const ScalingComparison c = scaling_experiment(session.model(), session.example(), ref);
    const HeadTensors t = head_tensors(trace, ref);
    EXPECT_EQ((c.scaled.weights - trace.value(t.weights)).cwiseAbs().maxCoeff(), 0);
    EXPECT_DOUBLE_EQ(c.scaled.loss, trace.loss());
    EXPECT_DOUBLE_EQ(c.scaled.scores_grad_norm, trace.grad(t.scores).norm());
    EXPECT_DOUBLE_EQ(c.scaled.softmax_input_grad_norm, trace.grad(t.masked).norm());
    EXPECT_NEAR(c.scaled.scores_grad_norm * sqrt_dk, c.scaled.softmax_input_grad_norm,
                1e-12 * c.scaled.softmax_input_grad_norm);
    EXPECT_NEAR(c.unscaled.scores_grad_norm, c.unscaled.softmax_input_grad_norm,
                1e-12 * c.unscaled.softmax_input_grad_norm);
    EXPECT_GT(c.unscaled.scores_grad_norm, 0);
    EXPECT_NE(c.unscaled.loss, c.scaled.loss);
    double entropy_by_hand = 0;
    for (Eigen::Index j = 0; j < c.scaled.weights.cols(); ++j)
      if (c.scaled.weights(0, j) > 0) entropy_by_hand -= c.scaled.weights(0, j) * std::log(c.scaled.weights(0, j));
    EXPECT_NEAR(c.scaled.entropy(0, 0), entropy_by_hand, 1e-15);
  }
}

// The paper's argument holds where it is made: at initialisation with d_k = 64, dropping 1/√d_k
// lowers every head's mean row entropy, and the softmax of every encoder head (and of most heads
// overall: a nearly uniform row passes little gradient too) passes less gradient.
TEST(ScalingExperiment, AtInitialisationWithALargeDkTheUnscaledSoftmaxSaturates) {
  const Session session(make_preset("lesson"));
  const Config& config = session.config();
  int seen = 0, heads = 0;
  for (AttentionKind kind : {AttentionKind::encoder_self, AttentionKind::decoder_self, AttentionKind::cross})
    for (int head = 0; head < config.heads; ++head) {
      const HeadRef ref{kind, 0, head};
      const ScalingComparison c =
          scaling_experiment_at_initialisation(config, session.example(), session.seed(), ref, 64);
      const ScalingOutcome o = scaling_outcome(c);
      EXPECT_TRUE(o.entropy_lower) << static_cast<int>(kind) << " head " << head;
      if (kind == AttentionKind::encoder_self) {
        EXPECT_TRUE(o.gradient_smaller) << "encoder head " << head;
      }
      seen += o.claim_seen();
      ++heads;
    }
  EXPECT_GE(seen, heads - 2);
}

}  // namespace
}  // namespace attnviz::analysis
