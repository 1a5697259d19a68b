// A run of the same config as the trace's last one keeps the names, labels, inputs and outputs
// already recorded and writes shapes and values only.  Whatever the runs before it, a trace must
// then hold exactly what a fresh trace records.

#include "helpers.h"
#include "model/error.h"
#include "model/fixed_attention.h"
#include "model/transformer.h"

#include <gtest/gtest.h>

#include <limits>

namespace attnviz::testing {
namespace {

void expect_same_trace(const Trace& got, const Trace& fresh) {
  ASSERT_EQ(got.tensor_count(), fresh.tensor_count());
  for (int i = 0; i < got.tensor_count(); ++i) {
    const Tensor& a = got.tensor(got.activation(i));
    const Tensor& b = fresh.tensor(fresh.activation(i));
    EXPECT_EQ(a.name, b.name) << i;
    EXPECT_EQ(a.rows, b.rows) << a.name;
    EXPECT_EQ(a.cols, b.cols) << a.name;
    EXPECT_EQ(a.role, b.role) << a.name;
    EXPECT_EQ(a.head, b.head) << a.name;
    EXPECT_EQ(a.requires_grad, b.requires_grad) << a.name;
    EXPECT_TRUE(same_bits(a.value, b.value)) << a.name;
    if (fresh.has_backward()) {
      EXPECT_TRUE(same_bits(a.grad, b.grad)) << a.name;
    }  // meaningless before
  }
  ASSERT_EQ(got.has_backward(), fresh.has_backward());
  ASSERT_EQ(got.step_count(), fresh.step_count());
  EXPECT_EQ(got.forward_count(), fresh.forward_count());
  for (int i = 0; i < got.step_count(); ++i) {
    const Step& a = got.step(i);
    const Step& b = fresh.step(i);
    EXPECT_EQ(a.label, b.label) << i;
    EXPECT_EQ(a.phase, b.phase) << a.label;
    EXPECT_EQ(a.op, b.op) << a.label;
    EXPECT_EQ(a.where, b.where) << a.label;
    EXPECT_EQ(a.inputs, b.inputs) << a.label;
    EXPECT_EQ(a.outputs, b.outputs) << a.label;
    EXPECT_EQ(a.formula, b.formula) << a.label;
    EXPECT_EQ(a.args, b.args) << a.label;
    EXPECT_EQ(a.twin, b.twin) << a.label;
    EXPECT_EQ(a.fully_masked_rows, b.fully_masked_rows) << a.label;
    EXPECT_TRUE(same_bits(a.saved, b.saved)) << a.label;
    ASSERT_EQ(a.non_finite.has_value(), b.non_finite.has_value()) << a.label;
    if (a.non_finite) {
      EXPECT_EQ(a.non_finite->tensor, b.non_finite->tensor) << a.label;
      EXPECT_EQ(a.non_finite->row, b.non_finite->row) << a.label;
      EXPECT_EQ(a.non_finite->col, b.non_finite->col) << a.label;
    }
    ASSERT_EQ(a.input_grads.size(), b.input_grads.size()) << a.label;
    for (std::size_t k = 0; k < a.input_grads.size(); ++k)
      EXPECT_TRUE(same_bits(a.input_grads[k], b.input_grads[k])) << a.label;
  }
  EXPECT_TRUE(same_bits(Mat::Constant(1, 1, got.loss()), Mat::Constant(1, 1, fresh.loss())));
  for (int i = 0; i < got.tensor_count(); ++i) {
    const auto found = got.find(got.tensor(got.activation(i)).name);
    ASSERT_TRUE(found) << got.tensor(got.activation(i)).name;
    EXPECT_EQ(found->index, fresh.find(fresh.tensor(fresh.activation(i)).name)->index);
  }
}

// tiny_example's lengths with other tokens, and padding where `pad` > 0 (so a row is fully
// masked in the encoder, and the masks differ from tiny_example(0)'s).
Example other_tokens(int pad) {
  Example ex = tiny_example(0);
  ex.src = {9, 3, 3, 8, 2};
  ex.tgt_in = {1, 7, 2, 6};
  ex.tgt_out = {7, 2, 6, 3};
  for (int i = 0; i < pad; ++i) {
    ex.src[ex.src.size() - 1 - static_cast<std::size_t>(i)] = ex.pad_id;
    ex.tgt_in[ex.tgt_in.size() - 1 - static_cast<std::size_t>(i)] = ex.pad_id;
    ex.tgt_out[ex.tgt_out.size() - 1 - static_cast<std::size_t>(i)] = ex.pad_id;
  }
  return ex;
}

// Forward and backward into `t`.
void record(Transformer& model, const Example& ex, Trace& t) {
  run_forward(model, ex, t);
  run_backward(t);
}

Trace fresh_run(Transformer& model, const Example& ex, bool backward = true) {
  Trace t;
  run_forward(model, ex, t);
  if (backward) run_backward(t);
  return t;
}

// Forward and backward into `t`, which must then hold what a fresh trace records.
void record_and_compare(Transformer& model, const Example& ex, Trace& t) {
  record(model, ex, t);
  expect_same_trace(t, fresh_run(model, ex));
}

TEST(TraceReplay, OtherTokensMatchAFreshRecord) {
  Transformer model(tiny_config(), 3);
  randomise(model.params(), 5);
  Trace t;
  record(model, tiny_example(0), t);
  for (int pad : {0, 2, 1}) {
    const Example ex = other_tokens(pad);
    record(model, ex, t);
    SCOPED_TRACE(pad);
    expect_same_trace(t, fresh_run(model, ex));
  }
}

TEST(TraceReplay, ForwardOnlyAfterABackwardHasNoBackward) {
  Transformer model(tiny_config(), 3);
  Trace t;
  record(model, tiny_example(0), t);
  run_forward(model, other_tokens(0), t);
  EXPECT_FALSE(t.has_backward());
  expect_same_trace(t, fresh_run(model, other_tokens(0), /*backward=*/false));
  run_backward(t);
  expect_same_trace(t, fresh_run(model, other_tokens(0)));
}

TEST(TraceReplay, OtherLengthsGetTheirOwnShapes) {
  Transformer model(tiny_config(), 3);
  Trace t;
  record(model, tiny_example(0), t);
  record_and_compare(model, tiny_example(2), t);  // two tokens longer: other shapes, same steps
  Example shorter = tiny_example(0);
  shorter.src.pop_back();
  record_and_compare(model, shorter, t);
  record_and_compare(model, tiny_example(0), t);
}

TEST(TraceReplay, AnotherConfigIsRecordedAfresh) {
  Transformer two_heads(tiny_config(), 3);
  Config c = tiny_config();
  c.heads = 4;
  c.norm = NormPlacement::pre;
  Transformer four_heads(c, 3);
  Trace t;
  record(two_heads, tiny_example(0), t);
  record_and_compare(four_heads, tiny_example(0), t);
  record_and_compare(two_heads, tiny_example(0), t);
}

TEST(TraceReplay, AnotherKindOfRunInBetweenIsRecordedAfresh) {
  Transformer model(tiny_config(), 3);
  Trace t;
  record(model, tiny_example(0), t);
  FixedAttention a;
  a.X = Mat::Random(3, 4);
  a.W_Q = Mat::Random(4, 2);
  a.W_K = Mat::Random(4, 2);
  a.W_V = Mat::Random(4, 2);
  Parameters p = fixed_attention_parameters(a);
  run_fixed_attention(a, p, t);
  EXPECT_EQ(t.step(0).label, "encoder.0.self_attn.q_proj");
  record_and_compare(model, tiny_example(0), t);
}

// A replay finds the first NaN or ±∞ of each step where a fresh record does, and after the weight
// is mended, none: what the last run found is not carried over.
TEST(TraceReplay, NonFiniteValuesAreFoundWhereAFreshRecordFindsThem) {
  Transformer model(tiny_config(), 3);
  randomise(model.params(), 5);
  Trace t;
  record(model, tiny_example(0), t);
  const struct {
    const char* param;
    double value;
  } poisons[] = {
      {"encoder.layers.0.self_attn.k_proj.weight", std::numeric_limits<double>::quiet_NaN()},
      {"decoder.layers.1.ffn.linear1.bias", std::numeric_limits<double>::infinity()},
      {"tgt_embed.weight", -std::numeric_limits<double>::infinity()},
  };
  for (const auto& poison : poisons) {
    SCOPED_TRACE(poison.param);
    Mat& w = model.params()[*model.params().find(poison.param)].value;
    const double kept = w(0, 1);
    w(0, 1) = poison.value;
    record(model, other_tokens(1), t);
    const Trace fresh = fresh_run(model, other_tokens(1));
    int found = 0;
    for (const Step& s : fresh.steps()) found += s.non_finite.has_value();
    EXPECT_GT(found, 0);
    expect_same_trace(t, fresh);
    w(0, 1) = kept;
    record_and_compare(model, other_tokens(1), t);
  }
}

TEST(TraceReplay, AFailedRunLeavesNothingHalfRecordedToReplay) {
  Transformer model(tiny_config(), 3);
  Trace t;
  record(model, tiny_example(0), t);
  Example bad = tiny_example(0);
  bad.src[1] = 99;
  EXPECT_THROW(run_forward(model, bad, t), InputError);
  record_and_compare(model, other_tokens(1), t);
}

}  // namespace
}  // namespace attnviz::testing
