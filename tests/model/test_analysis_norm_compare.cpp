// LayerNorm against BatchNorm on the word-order lesson's trained weights: the LayerNorm side is
// the model's own LayerNorm, BatchNorm normalises columns, and the ways BatchNorm goes wrong are
// there in the numbers.

#include "model/analysis/norm_compare.h"
#include "model/io/lesson_file.h"
#include "model/presets.h"
#include "model/trainer.h"

#include "helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace attnviz::analysis {
namespace {

struct WordOrder {
  std::string path = std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/word-order.json";
  Lesson lesson = io::read_lesson_file(path);
  Transformer model{lesson.config, 0};
  std::vector<Example> pool = training_examples(lesson, lesson.config, 64);
  WordOrder() { io::read_lesson_weights(path, lesson, model.params()); }
  Example example(int pad = 0) const {
    return make_example(lesson.config, lesson.src_vocab, lesson.tgt_vocab, lesson.example.src, lesson.example.tgt, pad);
  }
};

// The forward LayerNorm step `label` of `model`'s run on `example`: its input and output.
struct Recorded {
  Mat x, y, gamma, beta;
};
Recorded recorded(const Transformer& model, const Example& example, const std::string& label) {
  Transformer copy = model;
  Trace trace;
  run_forward(copy, example, trace);
  const Step& step = trace.step(*trace.find_step(label, Phase::forward));
  return {trace.value(step.inputs[0]), trace.value(step.outputs[0]), trace.value(step.inputs[1]),
          trace.value(step.inputs[2])};
}

Scalar max_abs(const Mat& m) { return m.cwiseAbs().maxCoeff(); }

// The LayerNorm side, with the model's γ and β applied, is the trace's LayerNorm output: the
// comparison shows x̂ (before γ, β) of the very activations the model normalised.
TEST(NormCompare, LayerNormSideIsTheTracesLayerNorm) {
  const WordOrder w;
  for (const std::string label : {"encoder.0.norm1.layer_norm", "decoder.1.norm3.layer_norm"}) {
    const NormComparison c = compare_norms(w.model, w.example(), w.pool, label);
    const Recorded r = recorded(w.model, w.example(), label);
    const int t = static_cast<int>(r.x.rows());
    const Mat own = c.batch.sentence(c.layer_norm, 0).topRows(t);
    Mat scaled = own;
    for (Eigen::Index i = 0; i < scaled.rows(); ++i) scaled.row(i) = own.row(i).cwiseProduct(r.gamma) + r.beta;
    EXPECT_LE(max_abs(scaled - r.y), 1e-10) << label;
    EXPECT_LE(max_abs(c.batch.sentence(c.batch.x, 0).topRows(t) - r.x), 1e-10) << label;
    EXPECT_EQ(c.source, label.starts_with("encoder")) << label;
    EXPECT_GT(max_abs(r.gamma.array() - 1), 1e-2) << label << ": γ trained away from 1, so the check has teeth";
  }
}

TEST(NormCompare, LayerNormRowsAndBatchNormColumnsAreStandardised) {
  const WordOrder w;
  const NormComparison c = compare_norms(w.model, w.example(2), w.pool, "encoder.1.norm2.layer_norm");
  ASSERT_EQ(c.batch.sentences, 4);
  ASSERT_GT(c.batch.real_rows(), 0);
  ASSERT_LT(c.batch.real_rows(), c.batch.x.rows());  // this sentence's two <pad> made the others padded too
  for (Eigen::Index r = 0; r < c.layer_norm.rows(); ++r) {
    const Scalar mean = c.layer_norm.row(r).mean();
    EXPECT_NEAR(mean, 0, 1e-12);
    EXPECT_NEAR((c.layer_norm.row(r).array() - mean).square().mean(), 1, 1e-4);  // ε = 1e-5 in √(σ² + ε)
  }
  const FeatureStats real = feature_stats(c.batch_norm, real_rows(c.batch));
  EXPECT_LE(max_abs(real.mean), 1e-12);
  EXPECT_LE(max_abs(real.var.array() - 1), 1e-3);
  // Over every row, <pad> included, they are not standardised: the labels say "real rows".
  const FeatureStats all = feature_stats(c.batch_norm);
  EXPECT_GT(max_abs(all.mean), 1e-2);
  // BatchNorm's rows are not standardised, LayerNorm's columns are not.
  EXPECT_GT(std::abs(c.batch_norm.row(0).mean()), 1e-3);
  EXPECT_GT(max_abs(feature_stats(c.layer_norm, real_rows(c.batch)).mean), 1e-2);
}

TEST(NormCompare, OneSentenceErasesPerPositionAndShiftsOverItsTokens) {
  const WordOrder w;
  const NormComparison c = compare_norms(w.model, w.example(), w.pool, "encoder.0.norm1.layer_norm");
  EXPECT_EQ(c.one_position_var_max, 0);
  EXPECT_EQ(max_abs(c.one_position_output), 0);
  EXPECT_EQ(c.alone.rows(), 5);
  EXPECT_GT(c.alone_vs_batch, 1e-2);
  // Recomputed from the definition: column statistics of the sentence's own rows.
  const Recorded r = recorded(w.model, w.example(), "encoder.0.norm1.layer_norm");
  const Mat mu = r.x.colwise().mean();
  EXPECT_LE(max_abs(c.alone_stats.mean - mu), 1e-12);
}

TEST(NormCompare, PaddingShiftsTheStatisticsUnlessMasked) {
  const WordOrder w;
  // Every word-order sentence is as long as the others: the batch is padded to max_len.
  const NormComparison c = compare_norms(w.model, w.example(), w.pool, "decoder.0.norm1.layer_norm");
  EXPECT_EQ(c.batch.real_rows(), c.batch.x.rows());
  EXPECT_EQ(c.padded.length, w.lesson.config.max_len);
  EXPECT_GT(c.padded.x.rows() - c.padded.real_rows(), 0);
  EXPECT_GT(max_abs(c.with_pad.mean - c.without_pad.mean), 1e-2);
  EXPECT_GT(c.pad_output_change, 1e-2);
  // Without padding in the batch, masked statistics are the batch's own.
  EXPECT_LE(max_abs(c.without_pad.mean - c.batch_stats.mean), 1e-12);
}

TEST(NormCompare, BatchNormDependsOnTheBatchAndLayerNormDoesNot) {
  const WordOrder w;
  const NormComparison c = compare_norms(w.model, w.example(), w.pool, "encoder.0.norm2.layer_norm");
  EXPECT_EQ(c.other.sentences, 4);
  EXPECT_NE(c.other.tokens, c.batch.tokens);
  EXPECT_GT(c.batch_dependence, 1e-2);
  EXPECT_LE(c.layer_norm_dependence, 1e-12);
  // Running statistics leave this sentence off mean 0, variance 1.
  // The first 64 training sentences, less the one that is this sentence.
  const Example self = w.example();
  const auto others = std::count_if(w.pool.begin(), w.pool.end(),
                                    [&](const Example& e) { return e.src != self.src || e.tgt_in != self.tgt_in; });
  EXPECT_EQ(others, 63);
  EXPECT_EQ(c.running_sentences, others);
  EXPECT_GT(max_abs(c.inference_output_stats.mean), 1e-2);
  EXPECT_GT(max_abs(c.inference_output_stats.var.array() - 1), 1e-2);
}

TEST(NormCompare, RefusesAStepThatIsNotALayerNormAndAnEmptyPool) {
  const WordOrder w;
  EXPECT_NE(testing::rejection([&] { compare_norms(w.model, w.example(), w.pool, "encoder.0.ffn.linear1"); }),
            "(accepted)");
  EXPECT_NE(testing::rejection([&] { compare_norms(w.model, w.example(), {}, "encoder.0.norm1.layer_norm"); }),
            "(accepted)");
}

}  // namespace
}  // namespace attnviz::analysis
