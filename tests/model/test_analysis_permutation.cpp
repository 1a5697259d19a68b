// The permutation experiment: without positional encoding the encoder is permutation-
// equivariant, so swapping two source words swaps its output rows and nothing else.

#include "model/analysis/permutation.h"
#include "model/analysis/variant.h"
#include "model/error.h"
#include "model/presets.h"

#include <gtest/gtest.h>

namespace attnviz::analysis {
namespace {

struct Lesson {
  Preset preset = make_preset("lesson");
  Transformer model{preset.config, 0};
  Example example(int pad = 0) const {
    return make_example(preset.config, preset.src_vocab, preset.tgt_vocab, preset.src_text, preset.tgt_text, pad);
  }
};

// "the prince saved the princess" → "the princess saved the prince" (positions 1 and 4).
TEST(PermutationExperiment, EncodingOffGivesTheSameRowsPermuted) {
  const Lesson lesson;
  const SwapResult r = swap_experiment(lesson.model, lesson.example(), 1, 4, Positional::none);
  ASSERT_EQ(r.original_output.rows(), 5);
  ASSERT_EQ(r.original_output.cols(), 16);
  EXPECT_EQ(r.swapped_src[1], lesson.preset.src_vocab.id("princess"));
  EXPECT_EQ(r.swapped_src[4], lesson.preset.src_vocab.id("prince"));
  EXPECT_EQ(r.permutation, (std::vector<int>{0, 4, 2, 3, 1}));
  EXPECT_LE(r.max_difference, 1e-12);
  // The rows did move: without undoing the swap, rows 1 and 4 differ.
  EXPECT_GT((r.swapped_output.row(1) - r.original_output.row(1)).cwiseAbs().maxCoeff(), 1e-3);
}

TEST(PermutationExperiment, EncodingOnMakesTheRowsDiffer) {
  const Lesson lesson;
  for (Positional p : {Positional::interleaved, Positional::concatenated}) {
    const SwapResult r = swap_experiment(lesson.model, lesson.example(), 1, 4, p);
    EXPECT_GT(r.max_difference, 1e-2) << to_string(p);
    EXPECT_GT(r.row_difference(1, 0), 1e-2) << to_string(p);
  }
}

// Padding keys are masked by position of the key, so the mask moves with the words too; and
// the same holds with pre-norm.
TEST(PermutationExperiment, HoldsWithPaddingAndPreNorm) {
  Lesson lesson;
  Config pre = lesson.preset.config;
  pre.norm = NormPlacement::pre;
  const Transformer pre_model(pre, 3);
  for (const Transformer* model : {static_cast<const Transformer*>(&lesson.model), &pre_model}) {
    const SwapResult off = swap_experiment(*model, lesson.example(2), 0, 6, Positional::none);
    EXPECT_LE(off.max_difference, 1e-12);
    const SwapResult on = swap_experiment(*model, lesson.example(2), 0, 2, Positional::interleaved);
    EXPECT_GT(on.max_difference, 1e-2);
  }
}

// The experiment runs the model's own weights: with the model's own positional setting it
// reproduces the model's encoder output.
TEST(PermutationExperiment, UsesTheModelsWeights) {
  Lesson lesson;
  Trace trace;
  run_forward(lesson.model, lesson.example(), trace);
  const SwapResult r = swap_experiment(lesson.model, lesson.example(), 0, 1, lesson.preset.config.positional);
  EXPECT_EQ((r.original_output - trace.value(encoder_output(trace))).cwiseAbs().maxCoeff(), 0);
}

TEST(PermutationExperiment, RejectsPositionsOutsideTheSource) {
  const Lesson lesson;
  try {
    swap_experiment(lesson.model, lesson.example(), 1, 5, Positional::none);
    ADD_FAILURE() << "j = 5 accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("j: position 5"), std::string::npos) << e.what();
  }
  EXPECT_THROW(swap_experiment(lesson.model, lesson.example(), -1, 2, Positional::none), InputError);
}

TEST(ModelVariant, RefusesAConfigThatChangesTheParameters) {
  const Lesson lesson;
  Config c = lesson.preset.config;
  c.heads = 2;  // same shapes: only the head split differs
  EXPECT_NO_THROW(with_config(lesson.model, c));
  c = lesson.preset.config;
  c.norm = NormPlacement::pre;  // adds encoder.norm and decoder.norm
  EXPECT_THROW(with_config(lesson.model, c), InputError);
  c = lesson.preset.config;
  c.d_ff = 8;
  try {
    with_config(lesson.model, c);
    ADD_FAILURE() << "d_ff change accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("linear1.weight"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace attnviz::analysis
