// The gradient lab's panels under Dear ImGui's headless context: every page drawn for several
// frames through the Ui and on its own; numbers equal to the model's; bad input refused without
// a crash; results cached until an input changes; a click on a Transformer bar moves the step
// cursor to that sublayer's backward step.

#include "model/gradlab/chain_rule.h"
#include "model/presets.h"
#include "views/controller.h"
#include "views/gradlab_depth_panel.h"
#include "views/gradlab_scalar_panel.h"
#include "views/gradlab_transformer_panel.h"
#include "views/ui.h"
#include "headless_ui.h"

#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <chrono>
#include <thread>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string_view>

namespace attnviz::views {
namespace {

class GradLabHeadless : public HeadlessUi {
 protected:
  // One frame drawing `body` in a full-screen window "panel", then the commands applied.
  void frame(const std::function<void()>& body) {
    ImGui::NewFrame();
    selection.hover.clear();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
    if (ImGui::Begin("panel", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize)) body();
    ImGui::End();
    ImGui::Render();
    apply_commands(commands, app, selection);
  }
  using HeadlessUi::frame;
};

// At 200 % on 1920×1080 the depth page's controls and figures wrap instead of running off the right.
TEST_F(GradLabHeadless, DepthPageReadsInFullAtLargeText) {
  set_text_size(2.0f, ImVec2(1920, 1080));
  ui.view = PanelId::gradlab_depth;
  frames(3);
  const ImGuiWindow* page = ImGui::FindWindowByName("###Gradient lab: depth");
  ASSERT_NE(page, nullptr);
  EXPECT_LE(page->ContentSize.x, page->ContentRegionRect.GetWidth() + 1) << "items reach past the right edge";
}

// At 1024×768 the scalar chain's chain rule and the notes' figures each get 40 characters' width
// (as tabs where side by side they would not).
TEST_F(GradLabHeadless, ScalarPageGivesTheChainRuleAndTheFiguresRoomOnASmallDisplay) {
  set_text_size(1.0f, ImVec2(1024, 768));
  ui.view = PanelId::gradlab_scalar;
  for (const char* tab : {"Chain rule", "Example C: the notes' figures"}) {
    frames(3);
    const ImGuiWindow* page = ImGui::FindWindowByName("###Gradient lab: the scalar chain");
    ASSERT_NE(page, nullptr);
    int shown = 0;
    for (const ImGuiWindow* w : ImGui::GetCurrentContext()->Windows) {
      const std::string_view name(w->Name);
      if (!w->Active || w->RootWindow != page || w == page) continue;
      if (name.find("/chain_") == std::string_view::npos && name.find("/notes_") == std::string_view::npos) continue;
      ++shown;
      EXPECT_GE(w->Size.x, ImGui::GetFontSize() * 40) << name;
    }
    EXPECT_GE(shown, 1);
    // The other tab, where there are tabs.
    if (ImGuiTabBar* bar = ImGui::GetCurrentContext()->TabBars.GetByIndex(0); bar && bar->Tabs.Size == 2)
      for (ImGuiTabItem& item : bar->Tabs)
        if (const std::string_view name = bar->GetTabName(&item); name.substr(0, name.find("###")) == tab)
          bar->NextSelectedTabId = item.ID;
  }
}

TEST_F(GradLabHeadless, EveryPageDrawsAsAViewAndInTheLabWindow) {
  ui.wait_for_results = true;
  for (PanelId view : {PanelId::gradlab_scalar, PanelId::gradlab_depth, PanelId::gradlab_transformer}) {
    SCOPED_TRACE(panel_info(view).name);
    ui.view = view;
    frames(4);
    EXPECT_GT(vertices(), 2000);
  }
  ui.view = PanelId::overview;
  ui.show(PanelId::gradlab_scalar);
  frames(4);
  const ImGuiWindow* lab = ImGui::FindWindowByName("###Gradient lab");
  ASSERT_NE(lab, nullptr);
  EXPECT_TRUE(lab->Active);
  EXPECT_GT(lab->Size.x, 600);
  const ImGuiWindow* detail = ImGui::FindWindowByName("###Step detail");
  EXPECT_TRUE(detail == nullptr || !detail->Active);  // covered by the lab: not drawn
  EXPECT_TRUE(ImGui::FindWindowByName("###Steps")->Active);
  ui.hide(PanelId::gradlab_scalar);
  frames(2);
  EXPECT_TRUE(ImGui::FindWindowByName("###Step detail")->Active);
}

TEST_F(GradLabHeadless, ScalarPanelShowsTheModelsGraphsAndStepsBackward) {
  GradLabScalarPanel panel;
  for (int i = 0; i < 3; ++i) frame([&] { panel.draw(app, selection, commands); });
  EXPECT_TRUE(panel.is_example_c());
  const gradlab::ScalarComparison& r = panel.result();
  EXPECT_NEAR(r.plain.node("w1").grad, -0.0000759748, 1e-10);
  EXPECT_NEAR(r.residual.node("w1").grad, -0.00302914, 1e-8);
  EXPECT_EQ(fixed_significant(r.plain.node("w1").grad, 3), "−0.0000760");

  panel.revealed = 0;
  for (int k = 0; k < 14; ++k) {
    frame([&] { panel.draw(app, selection, commands); });
    panel.revealed = k + 1;
  }
  for (const auto& [depth, activation, skip] : {std::tuple{10, gradlab::Activation::tanh, gradlab::Skip::identity},
                                                std::tuple{7, gradlab::Activation::relu, gradlab::Skip::weighted}}) {
    panel.input.w.assign(static_cast<std::size_t>(depth), 0.3);
    panel.input.activation = activation;
    panel.residual_kind = skip;
    panel.selected = "w2";
    frame([&] { panel.draw(app, selection, commands); });
    frame([&] { panel.draw(app, selection, commands); });
    EXPECT_EQ(panel.result().plain.depth, depth);
    EXPECT_TRUE(panel.message.empty()) << panel.message;
  }
}

TEST_F(GradLabHeadless, ClickingAScalarNodeWritesOutItsChainRule) {
  GradLabScalarPanel panel;
  for (int i = 0; i < 3; ++i) frame([&] { panel.draw(app, selection, commands); });
  ImGuiIO& io = ImGui::GetIO();
  // Sweep the mouse over the upper part of the graphs until a click selects another node.
  for (float y = 200; y < 500 && panel.selected == "w1"; y += 17)
    for (float x = 20; x < 1580 && panel.selected == "w1"; x += 41) {
      io.MousePos = ImVec2(x, y);
      frame([&] { panel.draw(app, selection, commands); });
      io.MouseDown[0] = true;
      frame([&] { panel.draw(app, selection, commands); });
      io.MouseDown[0] = false;
    }
  EXPECT_NE(panel.selected, "w1");
  EXPECT_GE(panel.result().residual.find(panel.selected), 0);
  frame([&] { panel.draw(app, selection, commands); });
}

TEST_F(GradLabHeadless, ScalarPanelRefusesBadInputAndKeepsTheLastGoodOne) {
  GradLabScalarPanel panel;
  frame([&] { panel.draw(app, selection, commands); });
  panel.input.w.clear();  // depth 0
  frame([&] { panel.draw(app, selection, commands); });
  EXPECT_NE(panel.message.find("depth"), std::string::npos) << panel.message;
  EXPECT_EQ(panel.input.depth(), 3);
  panel.input.x = std::numeric_limits<double>::infinity();
  frame([&] { panel.draw(app, selection, commands); });
  EXPECT_NE(panel.message.find("x"), std::string::npos) << panel.message;
  EXPECT_EQ(panel.input.x, 0.5);
  EXPECT_TRUE(std::isfinite(panel.result().plain.loss()));
}

TEST_F(GradLabHeadless, DepthPanelRecomputesOnlyWhenTheConfigChanges) {
  GradLabDepthPanel panel;
  for (int i = 0; i < 3; ++i) frame([&] { panel.draw(app, selection, commands); });
  EXPECT_EQ(panel.recomputations(), 1);
  panel.config.depth = 64;
  panel.config.width = 64;
  frame([&] { panel.draw(app, selection, commands); });
  EXPECT_EQ(panel.recomputations(), 2);
  EXPECT_EQ(panel.result().plain.layers.size(), 64u);
  panel.layer = 3;
  frame([&] { panel.draw(app, selection, commands); });
  EXPECT_EQ(panel.recomputations(), 2);

  panel.config.depth = 0;  // typed in: clamped
  frame([&] { panel.draw(app, selection, commands); });
  EXPECT_EQ(panel.result().config.depth, 1);
  panel.config.scale = -1;  // refused with a message
  frame([&] { panel.draw(app, selection, commands); });
  EXPECT_FALSE(panel.message.empty());
  EXPECT_GT(panel.result().config.scale, 0);
}

TEST_F(GradLabHeadless, ClickingASublayerBarGoesToItsBackwardStep) {
  GradLabTransformerPanel panel;
  panel.threaded = false;
  for (int i = 0; i < 3; ++i) frame([&] { panel.draw(app, selection, commands); });
  EXPECT_EQ(panel.recomputations(), 1);
  ASSERT_EQ(panel.variants(app).size(), 4u);
  const Trace& trace = app.session.trace();

  // Sweep the mouse along the middle of the sublayer plot until a click lands on a bar.
  const ImGuiWindow* window = ImGui::FindWindowByName("panel");
  ASSERT_NE(window, nullptr);
  ImGuiIO& io = ImGui::GetIO();
  bool moved = false;
  for (float x = 200; x < 1580 && !moved; x += 23) {
    io.MousePos = ImVec2(x, 330);
    frame([&] { panel.draw(app, selection, commands); });
    io.MouseDown[0] = true;
    frame([&] { panel.draw(app, selection, commands); });
    io.MouseDown[0] = false;
    frame([&] { panel.draw(app, selection, commands); });
    moved = selection.step != 0;
  }
  ASSERT_TRUE(moved);
  const Step& step = trace.step(selection.step);
  EXPECT_EQ(step.phase, Phase::backward);
  EXPECT_EQ(selection.where, step.where);
  EXPECT_NE(step.where.sublayer, Sublayer::none);
  EXPECT_EQ(panel.recomputations(), 1);

  panel.layers = 6;
  frame([&] { panel.draw(app, selection, commands); });
  EXPECT_EQ(panel.recomputations(), 2);
  EXPECT_EQ(panel.variants(app).front().flow.sublayers.size(), 6u * 2 + 6u * 3);
}

// On its own thread: the first figures come when ready; a new sentence keeps the last figures on
// screen while new ones are computed; Cancel keeps them and starts nothing until asked.
TEST_F(GradLabHeadless, TransformerVariantsComputeOnAThreadOfTheirOwn) {
  GradLabTransformerPanel panel;
  const auto wait = [&] {
    for (int i = 0; i < 6000 && panel.computing(); ++i) {
      frame([&] { panel.draw(app, selection, commands); });
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    frame([&] { panel.draw(app, selection, commands); });
  };
  frame([&] { panel.draw(app, selection, commands); });
  EXPECT_EQ(panel.recomputations(), 1);
  wait();
  ASSERT_EQ(panel.variants(app).size(), 4u);
  const double loss = panel.variants(app).front().flow.loss;

  commands.push(SetSentences{"the princess saved the prince", "공주 는 왕자 를 구했다"});
  apply_commands(commands, app, selection);
  ASSERT_TRUE(app.sentence_message.empty()) << app.sentence_message;
  frame([&] { panel.draw(app, selection, commands); });
  EXPECT_EQ(panel.recomputations(), 2);
  if (panel.computing()) {
    EXPECT_EQ(panel.variants(app).front().flow.loss, loss);
  }  // the last figures meanwhile
  wait();
  EXPECT_NE(panel.variants(app).front().flow.loss, loss);
  EXPECT_NEAR(panel.variants(app).front().flow.loss, app.session.trace().loss(), 1e-12);

  panel.layers = 6;
  frame([&] { panel.draw(app, selection, commands); });
  panel.cancel();
  wait();
  EXPECT_FALSE(panel.computing());
  EXPECT_EQ(panel.recomputations(), 3);
  EXPECT_EQ(panel.variants(app).front().flow.sublayers.size(), 2u * 2 + 2u * 3);  // still the last figures
  frame([&] { panel.draw(app, selection, commands); });
  EXPECT_EQ(panel.recomputations(), 3);  // cancelled inputs are not started again by themselves
}

// The variants run on the weights the session holds now: the session's own variant has the
// session's loss and, at every sublayer, the gradient norm its trace holds.  With another layer
// count the panel says the weights are fresh ones from the seed.
TEST_F(GradLabHeadless, TransformerVariantsUseTheSessionsCurrentWeights) {
  Parameters& params = app.session.model().params();
  for (int i = 0; i < params.size(); ++i) params[i].value *= 1.3;
  app.session.set_weights_origin("test weights");
  app.session.rerun();
  app.on_new_trace();
  GradLabTransformerPanel panel;
  panel.threaded = false;
  const std::vector<gradlab::FlowVariant>& variants = panel.variants(app);
  const Config& own = app.session.config();
  const auto v = std::find_if(variants.begin(), variants.end(), [&](const gradlab::FlowVariant& f) {
    return f.residual == own.residual && f.norm == own.norm;
  });
  ASSERT_NE(v, variants.end());
  EXPECT_NEAR(v->flow.loss, app.session.trace().loss(), 1e-12);
  const gradlab::GradientFlow session_flow = gradlab::gradient_flow(app.session.trace(), own);
  ASSERT_EQ(v->flow.sublayers.size(), session_flow.sublayers.size());
  for (std::size_t i = 0; i < session_flow.sublayers.size(); ++i)
    EXPECT_NEAR(v->flow.sublayers[i].input_grad_norm, session_flow.sublayers[i].input_grad_norm,
                1e-12 * (1 + session_flow.sublayers[i].input_grad_norm));
  EXPECT_EQ(panel.weights_words(), "test weights");

  panel.layers = 6;
  panel.variants(app);
  EXPECT_NE(panel.weights_words().find("fresh weights from seed"), std::string::npos) << panel.weights_words();
}

TEST_F(GradLabHeadless, SublayersMapToTheSessionsBackwardSteps) {
  const Trace& trace = app.session.trace();
  const std::vector<gradlab::FlowVariant> variants =
      gradlab::gradient_flow_variants(app.session.config(), app.session.example(), app.session.seed());
  for (const gradlab::FlowVariant& v : variants)
    for (const gradlab::SublayerGradient& s : v.flow.sublayers) {
      SCOPED_TRACE(s.label);
      const int step = session_backward_step(trace, s);
      ASSERT_GE(step, 0);
      EXPECT_EQ(trace.step(step).phase, Phase::backward);
      EXPECT_EQ(trace.step(step).where.stack, s.where.stack);
      EXPECT_EQ(trace.step(step).where.layer, s.where.layer);
      EXPECT_EQ(trace.step(step).where.sublayer, s.where.sublayer);
    }
  gradlab::SublayerGradient deep;
  deep.where = {Stack::encoder, 11, Sublayer::self_attn, -1};
  EXPECT_EQ(session_backward_step(trace, deep), -1);
}

}  // namespace
}  // namespace attnviz::views
