// The architecture panel for a lesson that is one attention head: it draws worked example A's
// trace (X → Q, K, V → QKᵀ → ÷√3 → softmax → ·V → L = Σ O), not the encoder–decoder figure; the
// cursor's step glows, a click opens a node's step in the current phase, and the graph scales to
// fit its panel at a projector's 200 %.

#include "headless_ui.h"
#include "model/io/lesson_file.h"
#include "views/step_graph.h"

#include <gtest/gtest.h>
#include <imgui_internal.h>

#include <algorithm>

namespace attnviz::views {
namespace {

Lesson example_a() {
  return io::read_lesson_file(std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/self-attention-by-hand.json");
}

class StepGraphOfExampleA : public HeadlessUi {
 protected:
  StepGraphOfExampleA() : HeadlessUi(Session(to_preset(example_a()))) {}

  const std::vector<DrawnNode>& drawn() const { return ui.navigator().graph().drawn(); }
  const FlowNode& node(const DrawnNode& d) const {
    return ui.navigator().graph().graph().nodes[static_cast<std::size_t>(d.node)];
  }
  // The nodes lit last frame, by title.
  std::vector<std::string> lit() const {
    std::vector<std::string> titles;
    for (const DrawnNode& d : drawn())
      if (d.lit) titles.push_back(node(d).title);
    return titles;
  }
  int step_of(const std::string& title) const {
    for (const FlowNode& n : ui.navigator().graph().graph().nodes)
      if (n.title == title) return n.step;
    ADD_FAILURE() << "no node " << title;
    return 0;
  }
  void click_at(ImVec2 at) {
    ImGui::GetIO().MousePos = at;
    frame();
    ImGui::GetIO().MouseDown[0] = true;
    frame();
    ImGui::GetIO().MouseDown[0] = false;
    frames(2);  // the click's command applied, then drawn
  }
};

TEST_F(StepGraphOfExampleA, NodesAreTheStepsOfTheTraceJoinedByWhatTheyRead) {
  const StepGraph g = step_graph(app.session.trace());
  std::vector<std::string> titles;
  std::vector<int> levels;
  for (const FlowNode& n : g.nodes) {
    titles.push_back(n.title);
    levels.push_back(n.level);
  }
  EXPECT_EQ(titles, (std::vector<std::string>{"X", "Q = X W_Q", "K = X W_K", "V = X W_V", "QKᵀ", "QKᵀ / √3",
                                              "A = softmax", "O = A V", "L = Σ O"}));
  EXPECT_EQ(levels, (std::vector<int>{0, 1, 1, 1, 2, 3, 4, 5, 6}));
  std::vector<std::pair<std::string, std::string>> edges;
  for (const FlowEdge& e : g.edges)
    edges.emplace_back(g.nodes[static_cast<std::size_t>(e.from)].title, g.nodes[static_cast<std::size_t>(e.to)].title);
  EXPECT_EQ(edges, (std::vector<std::pair<std::string, std::string>>{{"X", "Q = X W_Q"},
                                                                     {"X", "K = X W_K"},
                                                                     {"X", "V = X W_V"},
                                                                     {"Q = X W_Q", "QKᵀ"},
                                                                     {"K = X W_K", "QKᵀ"},
                                                                     {"QKᵀ", "QKᵀ / √3"},
                                                                     {"QKᵀ / √3", "A = softmax"},
                                                                     {"A = softmax", "O = A V"},
                                                                     {"V = X W_V", "O = A V"},
                                                                     {"O = A V", "L = Σ O"}}));
  EXPECT_EQ(g.levels, 7);
  EXPECT_EQ(g.columns, 3);
  // The chain QKᵀ … L stands straight, between Q and K; V beside it; X under K.
  for (std::size_t i = 5; i < g.nodes.size(); ++i) EXPECT_EQ(g.nodes[i].column, g.nodes[4].column) << g.nodes[i].title;
  EXPECT_EQ(g.nodes[4].column, 0.5f);
  EXPECT_EQ(g.nodes[0].column, 1.0f);
}

TEST_F(StepGraphOfExampleA, TheCursorsStepGlowsAndAClickOpensANodesStep) {
  app.lesson = example_a();
  go_to_step(app, selection, app.lesson->step);
  frames(3);
  ASSERT_EQ(drawn().size(), 9u) << "the architecture panel does not draw the example's steps";
  EXPECT_EQ(lit(), std::vector<std::string>{"O = A V"});  // the lesson opens on O = A V
  const Trace& trace = app.session.trace();
  for (const DrawnNode& d : drawn()) {
    const FlowNode& n = node(d);
    click_at(ImVec2((d.min.x + d.max.x) / 2, (d.min.y + d.max.y) / 2));
    EXPECT_EQ(selection.step, n.opens) << n.title;
    EXPECT_EQ(trace.step(selection.step).phase, Phase::forward) << n.title;
    if (n.step >= 0) {
      EXPECT_EQ(lit(), std::vector<std::string>{n.title});
    }
  }
  // Backward: a click opens the backward twin, which lights its forward step's node.
  go_to_step(app, selection, trace.step(step_of("A = softmax")).twin);
  frames(2);
  EXPECT_EQ(lit(), std::vector<std::string>{"A = softmax"});
  const auto qk =
      std::find_if(drawn().begin(), drawn().end(), [&](const DrawnNode& d) { return node(d).title == "QKᵀ"; });
  ASSERT_NE(qk, drawn().end());
  click_at(ImVec2((qk->min.x + qk->max.x) / 2, (qk->min.y + qk->max.y) / 2));
  EXPECT_EQ(selection.step, trace.step(node(*qk).step).twin);
  EXPECT_EQ(trace.step(selection.step).phase, Phase::backward);
}

// At 1920×1080 and 200 % text the graph fits its panel's width; its titles keep 60 % of the text.
TEST_F(StepGraphOfExampleA, TheGraphFitsItsPanelAtAProjectorsSize) {
  set_text_size(2.0f, ImVec2(1920, 1080));
  app.lesson = example_a();
  go_to_step(app, selection, app.lesson->step);
  frames(4);
  const ImGuiWindow* navigator = ImGui::FindWindowByName("###Architecture");
  ASSERT_NE(navigator, nullptr);
  EXPECT_FALSE(navigator->ScrollbarX);
  for (const DrawnNode& d : drawn()) EXPECT_LE(d.max.x, navigator->InnerClipRect.Max.x + 0.5f) << node(d).title;
  EXPECT_GE(ui.navigator().label_pixels(), NavigatorPanel::min_label_scale * ImGui::GetFontSize() - 0.5f);
}

}  // namespace
}  // namespace attnviz::views
