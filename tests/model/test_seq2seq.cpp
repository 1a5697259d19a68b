// The recurrent encoder–decoders (seq2seq.h): every parameter's gradient against finite
// differences through the whole unrolled run, the chain-rule terms of every backward step, and
// the steps they record.

#include "model/explain.h"
#include "helpers.h"

#include <tuple>

namespace attnviz::testing {
namespace {

Config recurrent_config(Architecture architecture, RecurrentCell cell) {
  Config c = tiny_config();
  c.architecture = architecture;
  c.cell = cell;
  return c;
}

using Variant = std::tuple<Architecture, RecurrentCell, int /*pad*/>;

class RecurrentGradcheck : public ::testing::TestWithParam<Variant> {};

TEST_P(RecurrentGradcheck, EveryParameterMatchesFiniteDifferences) {
  const auto [architecture, cell, pad] = GetParam();
  Transformer model(recurrent_config(architecture, cell), 7);
  randomise(model.params(), 11);
  expect_parameter_gradients_match_finite_differences(model, tiny_example(pad));
}

TEST_P(RecurrentGradcheck, ExplainTermsSumToTheStoredGradient) {
  const auto [architecture, cell, pad] = GetParam();
  Transformer model(recurrent_config(architecture, cell), 7);
  randomise(model.params(), 3);
  Trace t;
  run_forward(model, tiny_example(pad), t);
  run_backward(t);
  EXPECT_GT(expect_explanations_sum_to_stored(t), 100);
}

std::string variant_name(const ::testing::TestParamInfo<Variant>& info) {
  const auto [architecture, cell, pad] = info.param;
  return std::string(to_string(architecture)) + "_" + to_string(cell) + (pad ? "_padded" : "_unpadded");
}

INSTANTIATE_TEST_SUITE_P(Variants, RecurrentGradcheck,
                         ::testing::Combine(::testing::Values(Architecture::seq2seq, Architecture::bahdanau),
                                            ::testing::Values(RecurrentCell::gru, RecurrentCell::tanh),
                                            ::testing::Values(0, 2)),
                         variant_name);

// One cell step per source token before the padding and per target token; Bahdanau adds scores,
// softmax and context at every decoder step; the forward explanation of a score sums to it.
TEST(Recurrent, RecordsOneCellStepPerTokenAndAttentionPerDecoderStep) {
  Transformer model(recurrent_config(Architecture::bahdanau, RecurrentCell::gru), 7);
  Trace t;
  run_forward(model, tiny_example(2), t);
  run_backward(t);
  int cells = 0, scores = 0;
  for (int s = 0; s < t.forward_count(); ++s) {
    cells += t.step(s).op == OpKind::gru_cell;
    scores += t.step(s).op == OpKind::additive_scores;
  }
  EXPECT_EQ(cells, 5 + 6);  // 5 source tokens (the 2 pads are not read), 4 + 2 target positions
  EXPECT_EQ(scores, 6);
  for (const char* label : {"encoder.0.rnn.gru", "encoder.4.rnn.gru", "encoder.rnn.states", "decoder.attention.keys",
                            "decoder.0.attention.scores", "decoder.3.attention.softmax", "decoder.3.attention.context",
                            "decoder.3.rnn.input", "decoder.rnn.states", "output.loss"})
    EXPECT_TRUE(t.find_step(label, Phase::forward).has_value()) << label;
  EXPECT_FALSE(t.find_step("encoder.5.rnn.gru", Phase::forward).has_value());
  const int e = *t.find_step("decoder.2.attention.scores", Phase::forward);
  const ForwardExplanation f = explain_forward(t, e, 0, 0, 3);
  Scalar sum = 0;
  for (const Term& term : f.terms) sum += term.product();
  EXPECT_NEAR(sum, f.value, 1e-12);
  const int h = *t.find_step("decoder.2.rnn.gru", Phase::forward);
  const ForwardExplanation g = explain_forward(t, h, 0, 0, 1);
  sum = 0;
  for (const Term& term : g.terms) sum += term.product();
  EXPECT_NEAR(sum, g.value, 1e-12);
}

// A recurrent model run again on sentences of other lengths records other steps (no replay).
TEST(Recurrent, ARunOfAnotherLengthIsRecordedAfresh) {
  Transformer model(recurrent_config(Architecture::seq2seq, RecurrentCell::gru), 7);
  Trace t;
  run_forward(model, tiny_example(0), t);
  run_backward(t);
  const int steps = t.step_count();
  Example longer = tiny_example(0);
  longer.src.push_back(3);
  run_forward(model, longer, t);
  run_backward(t);
  EXPECT_EQ(t.step_count(), steps + 4);  // lookup and cell, forward and backward
  EXPECT_TRUE(t.find_step("encoder.5.rnn.gru", Phase::backward).has_value());
}

TEST(Recurrent, ArchitectureAndCellAreConfigKeysWithClearErrors) {
  Config c;
  set_config_value(c, "architecture", "bahdanau");
  set_config_value(c, "cell", "tanh");
  EXPECT_EQ(c.architecture, Architecture::bahdanau);
  EXPECT_EQ(c.cell, RecurrentCell::tanh);
  try {
    set_config_value(c, "architecture", "lstm");
    ADD_FAILURE() << "lstm accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("expected transformer, seq2seq or bahdanau"), std::string::npos) << e.what();
  }
  EXPECT_EQ(c.architecture, Architecture::bahdanau);  // unchanged
}

}  // namespace
}  // namespace attnviz::testing
