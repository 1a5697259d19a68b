// The op table: a row for every OpKind, each with all its text, and the trace's steps reading
// their formulas and sentences from it.

#include "model/op_table.h"
#include "model/flops.h"
#include "model/op_terms.h"
#include "model/presets.h"
#include "model/recorder.h"
#include "model/transformer.h"
#include "helpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace attnviz::testing {
namespace {

constexpr int op_count = static_cast<int>(OpKind::count);

TEST(OpTable, EveryOpHasAFullRow) {
  std::set<std::string> names, titles;
  for (int i = 0; i < op_count; ++i) {
    const auto op = static_cast<OpKind>(i);
    const OpInfo& info = op_info(op);
    EXPECT_EQ(info.op, op) << i;
    ASSERT_NE(info.name, nullptr) << i;
    ASSERT_NE(info.title, nullptr) << info.name;
    EXPECT_STRNE(info.name, "") << i;
    EXPECT_STRNE(info.title, "") << info.name;
    EXPECT_FALSE(info.forward_formula.empty()) << info.name;
    EXPECT_FALSE(info.backward_formula.empty()) << info.name;
    EXPECT_NE(info.forward_sentence.size(), 0u) << info.name;
    EXPECT_NE(info.backward_sentence.size(), 0u) << info.name;
    EXPECT_EQ(info.forward_sentence.back(), '.') << info.name;
    EXPECT_EQ(info.backward_sentence.back(), '.') << info.name;
    EXPECT_TRUE(names.insert(info.name).second) << "two ops named " << info.name;
    EXPECT_TRUE(titles.insert(info.title).second) << "two ops titled " << info.title;
    EXPECT_STREQ(to_string(op), info.name);
    EXPECT_EQ(describe(op, Phase::forward), info.forward_sentence);
    EXPECT_EQ(describe(op, Phase::backward), info.backward_sentence);
    // "none" is a function of its own (elementwise_forward_terms, no_products), never nullptr
    EXPECT_NE(info.chain_terms, nullptr) << info.name;
    EXPECT_NE(info.forward_terms, nullptr) << info.name;
    EXPECT_NE(info.product_flops, nullptr) << info.name;
  }
  EXPECT_THROW(op_info(OpKind::count), std::out_of_range);
}

// An op whose flops are counted as matrix products shows its forward as those products, term by
// term, not as "element-wise"; the others are counted one flop per output element.
TEST(OpTable, OpsWithProductsShowTheirTerms) {
  std::set<OpKind> with_products;
  for (const OpInfo& info : op_table)
    if (info.product_flops != no_products) {
      with_products.insert(info.op);
      EXPECT_NE(info.forward_terms, elementwise_forward_terms) << info.name;
    }
  const std::set<OpKind> expected{OpKind::linear, OpKind::scores, OpKind::weighted_sum, OpKind::gru_cell,
                                  OpKind::additive_scores};
  EXPECT_EQ(with_products, expected);
}

// Runs poisoned in many ways: parameters with a NaN, ±∞ or a huge value added to every element.
struct Poison {
  std::vector<std::pair<const char*, double>> added;  // to every element of these parameters
  NormPlacement norm = NormPlacement::post;
};

std::vector<Poison> poisons() {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  return {
      {{}},
      {{{"encoder.layers.0.self_attn.q_proj.weight", nan}}},
      {{{"encoder.layers.0.self_attn.q_proj.weight", 1e200}}},  // finite weights, scores overflow
      {{{"encoder.layers.0.self_attn.v_proj.weight", inf}}},
      {{{"encoder.layers.1.ffn.linear1.weight", -inf}}},
      {{{"decoder.layers.0.cross_attn.k_proj.bias", nan}}},
      {{{"decoder.layers.1.norm3.weight", 1e308}}},
      {{{"src_embed.weight", 1e308}}},  // × √d_model overflows
      {{{"generator.weight", 1e300}}},
      {{{"generator.weight", 1e160}}},  // finite forward; its backward's dX = dZ W overflows
      {{{"decoder.layers.1.ffn.linear2.weight", 1e160}}},
      // pre-norm: X ≈ 2e307 (its LayerNorm still finite) and the attention's output ≈ 1.7e308 (its
      // values are 0), so the residual x + F(x), of finite inputs, overflows
      {{{"src_embed.weight", 7e306}, {"encoder.layers.0.self_attn.o_proj.bias", 1.7e308}}, NormPlacement::pre},
  };
}

// A poisoned run, forward and backward, of the tiny model.
struct PoisonedRun {
  explicit PoisonedRun(const Poison& poison) {
    Config config = tiny_config();
    config.norm = poison.norm;
    model = std::make_unique<Transformer>(config, 3);
    for (const auto& [param, value] : poison.added) {
      model->params()[*model->params().find(param)].value.array() += value;
      what = param;
    }
    run_forward(*model, tiny_example(1), trace);
    run_backward(trace);
  }
  std::unique_ptr<Transformer> model;
  Trace trace;
  std::string what = "none";
};

// A full scan: some element is NaN or ±∞ (with `masked`, −∞ is allowed).
bool scanned_bad(const Mat& m, bool masked) {
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    const double v = m.data()[i];
    if (!std::isfinite(v) && !(masked && v == -std::numeric_limits<double>::infinity())) return true;
  }
  return false;
}

// The recorder skips reading outputs the table's rules call finite: on runs poisoned in many
// ways, each forward step is flagged exactly when a full scan of its outputs finds a NaN or ±∞
// (a mask's −∞ excepted).
TEST(OpTable, FinitenessRulesNeverHideANonFiniteOutput) {
  int flagged = 0;
  for (const Poison& poison : poisons()) {
    const PoisonedRun run(poison);
    const Trace& trace = run.trace;
    for (int i = 0; i < trace.forward_count(); ++i) {
      const Step& s = trace.step(i);
      bool bad = false;
      for (TensorId out : s.outputs) bad = bad || scanned_bad(trace.value(out), s.op == OpKind::mask);
      EXPECT_EQ(s.non_finite.has_value(), bad) << run.what << ": " << s.label;
      flagged += bad;
    }
  }
  EXPECT_GT(flagged, 100) << "the poisons reach many steps";
}

// run_backward skips reading the shares the table's backward rules call finite: on the same
// runs, each backward step is flagged exactly when a full scan of its shares finds a NaN or ±∞,
// including steps whose ∂L/∂output is finite and whose shares are not.
TEST(OpTable, FinitenessRulesNeverHideANonFiniteGradient) {
  int flagged = 0, flagged_from_finite = 0;
  for (const Poison& poison : poisons()) {
    const PoisonedRun run(poison);
    const Trace& trace = run.trace;
    for (const Step& b : trace.steps().subspan(static_cast<std::size_t>(trace.forward_count()))) {
      bool bad = false;
      for (std::size_t i = 0; i < b.inputs.size(); ++i) bad = bad || scanned_bad(trace.share(b, i), false);
      EXPECT_EQ(b.non_finite.has_value(), bad) << run.what << ": " << b.label;
      flagged += bad;
      bool dy_bad = false;
      for (TensorId out : b.outputs) dy_bad = dy_bad || scanned_bad(trace.grad(out), false);
      flagged_from_finite += bad && !dy_bad;
    }
  }
  EXPECT_GT(flagged, 100) << "the poisons reach many steps";
  EXPECT_GT(flagged_from_finite, 0) << "some poison overflows in a backward step itself";
}

// Two finite shares can add up to ∞: the gradient of an input that several steps read is not
// known finite, so the step that made it still reads what it passes on.
//   x = 1·a,  y = x + x,  L = Σ 1e308·y:  ∂L/∂y = 1e308, ∂L/∂x = 1e308 + 1e308 = ∞
TEST(OpTable, ASumOfFiniteSharesIsStillRead) {
  Parameters params;
  Trace trace;
  trace.reset(&params);
  Recorder r(trace);
  r.enter(Stack::encoder, 0, Sublayer::ffn);
  const TensorId a = r.input("a", Mat::Ones(2, 3), Axis::src_tokens, Axis::features);
  const TensorId x = r.scale("x", a, 1, Role::other, {});
  const TensorId y = r.add("y", x, x);
  trace.set_loss(r.sum("loss", r.scale("big", y, 1e308, Role::other, {})));
  trace.end_forward();
  run_backward(trace);
  const Step& sum = trace.step(*trace.find_step("encoder.0.ffn.y", Phase::backward));
  EXPECT_FALSE(sum.non_finite.has_value());  // its shares, 1e308, are finite
  const Step& made_x = trace.step(*trace.find_step("encoder.0.ffn.x", Phase::backward));
  ASSERT_TRUE(std::isinf(trace.grad(x)(0, 0)));
  EXPECT_TRUE(made_x.non_finite.has_value());
}

// A recorded run takes its formulas from the table, but where the model names a closer one
// (the scalings, the heads' slices; in Bahdanau's model the context and the cell's input).
TEST(OpTable, StepsCarryTheTablesFormulas) {
  const Preset p = make_preset("lesson");
  std::set<OpKind> seen;
  std::vector<Config> configs;
  for (const FfnActivation activation : {FfnActivation::relu, FfnActivation::gelu}) {
    configs.push_back(p.config);
    configs.back().activation = activation;
  }
  for (const RecurrentCell cell : {RecurrentCell::gru, RecurrentCell::tanh}) {
    configs.push_back(p.config);
    configs.back().architecture = Architecture::bahdanau;
    configs.back().cell = cell;
  }
  for (const Config& config : configs) {
    Transformer model(config, 1);
    Trace trace;
    run_forward(model, make_example(config, p.src_vocab, p.tgt_vocab, p.src_text, p.tgt_text), trace);
    run_backward(trace);
    for (const Step& s : trace.steps()) {
      seen.insert(s.op);
      const OpInfo& info = op_info(s.op);
      const bool closer = s.op == OpKind::scale || s.op == OpKind::split_head ||
                          (config.recurrent() && (s.op == OpKind::weighted_sum || s.op == OpKind::concat_heads));
      if (s.phase == Phase::backward) {
        EXPECT_EQ(s.formula, info.backward_formula) << s.label;
      } else if (!closer) {
        EXPECT_EQ(s.formula, info.forward_formula) << s.label;
      } else {
        EXPECT_FALSE(s.formula.empty()) << s.label;
      }
    }
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(op_count - 1))
      << "every op but sum (worked example A's loss): the Transformer with ReLU and GELU, Bahdanau's model with "
         "both cells";
}

}  // namespace
}  // namespace attnviz::testing
