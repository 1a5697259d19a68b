// The chain-rule panel at a tensor read by several steps: the step's own share named as a share,
// every reader's share listed, a share opened at its own backward step; elements named by the
// tensor's meaning.

#include "views/chain_terms.h"
#include "views/controller.h"
#include "headless_ui.h"

#include <gtest/gtest.h>

namespace attnviz::views {
namespace {

using ChainShares = HeadlessUi;

TEST_F(ChainShares, SoftmaxBackwardNamesItsInputMaskedScores) {
  const Trace& trace = app.session.trace();
  const Step& b = trace.step(step_labelled("encoder.0.self_attn.head1.softmax", Phase::backward));
  EXPECT_EQ(element_name(trace, Element{b.inputs[0], 1, 2}, true), "∂L/∂masked_scores[1,2]");
}

TEST_F(ChainShares, AShareOfASharedInputOpensAtItsReadersBackwardStep) {
  const Trace& trace = app.session.trace();
  const int k_back = step_labelled("encoder.0.self_attn.k_proj", Phase::backward);
  go_to_step(app, selection, k_back);
  selection.element = ElementRef{k_back, Slot::downstream, 0, 2, 3};
  ui.view = PanelId::chain_rule;
  frames(3);
  const ChainExplanation chain = explain_selection(app, selection);
  ASSERT_TRUE(std::holds_alternative<Explanation>(chain));
  EXPECT_TRUE(std::get<Explanation>(chain).is_share);

  const GradientShares g = gradient_shares(trace, trace.step(k_back).inputs[0], 2, 3);
  ASSERT_GE(g.shares.size(), 4u);  // q, k, v and the residual
  const Share& other = g.shares.front().step == k_back ? g.shares.back() : g.shares.front();
  commands.push(GoToElement{ElementRef{other.step, Slot::downstream, other.input, 2, 3}});
  frame();
  EXPECT_EQ(selection.step, other.step);
  EXPECT_EQ(selection.element, (ElementRef{other.step, Slot::downstream, other.input, 2, 3}));
  const ChainExplanation there = explain_selection(app, selection);
  ASSERT_TRUE(std::holds_alternative<Explanation>(there));
  EXPECT_EQ(std::get<Explanation>(there).stored, other.value);
}

}  // namespace
}  // namespace attnviz::views
