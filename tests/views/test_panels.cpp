// Every panel drawn under Dear ImGui's headless context (no window, no GL): at the first step, a
// mid-encoder attention step and a backward step; a click in one panel seen by the others; the
// chain rule's sum equal to the gradient the model stored.

#include "model/presets.h"
#include "views/chain_terms.h"
#include "views/controller.h"
#include "views/ui.h"
#include "headless_ui.h"

#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

namespace attnviz::views {
namespace {

class Headless : public HeadlessUi {
 protected:
  // Moves the mouse over the window `title` until a heatmap element of `slot` is under it.
  bool hover_element(const char* title, Slot slot) {
    const ImGuiWindow* window = ImGui::FindWindowByName(title);
    if (!window) return false;
    for (float y = window->Pos.y + 30; y < window->Pos.y + window->Size.y - 10; y += 9)
      for (float x = window->Pos.x + 10; x < window->Pos.x + window->Size.x - 10; x += 9) {
        ImGui::GetIO().MousePos = ImVec2(x, y);
        frame();
        if (selection.hover.element.valid() && selection.hover.element.slot == slot) return true;
      }
    return false;
  }
  void press(int native_key, bool shift = false, bool ctrl = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyShift = shift;
    io.KeyCtrl = ctrl;
    io.KeysDown[native_key] = true;
    frame();
    io.KeysDown[native_key] = false;
    io.KeyShift = io.KeyCtrl = false;
    frame();
  }
  static int key(ImGuiKey k) { return 300 + k; }
  void click() {
    ImGui::GetIO().MouseDown[0] = true;
    frame();
    ImGui::GetIO().MouseDown[0] = false;
    frame();
  }
};

TEST_F(Headless, ALessonsTrainingPanelOpensWithTheOverview) {
  frames(2);
  EXPECT_EQ(ImGui::FindWindowByName("###Training"), nullptr);
  app.lesson = Lesson{};
  app.lesson->panel = "walkthrough";
  ui.open_lesson_panel(app, selection);
  frames(2);
  EXPECT_FALSE(ui.shown(PanelId::training));
  app.lesson->panel = "training";
  ui.open_lesson_panel(app, selection);
  frames(2);
  const ImGuiWindow* training = ImGui::FindWindowByName("###Training");
  ASSERT_NE(training, nullptr);
  EXPECT_TRUE(training->Active);
}

TEST_F(Headless, EveryViewDrawsAtThreeKindsOfStep) {
  const int steps[] = {0, step_labelled("encoder.1.self_attn.head2.softmax", Phase::forward),
                       step_labelled("decoder.0.cross_attn.head1.softmax", Phase::backward)};
  for (int step : steps)
    for (PanelId view :
         {PanelId::overview, PanelId::architecture, PanelId::steps, PanelId::detail, PanelId::chain_rule}) {
      SCOPED_TRACE(std::string(panel_info(view).name) + " at step " + std::to_string(step));
      ui.view = view;
      go_to_step(app, selection, step);
      frames(3);
      EXPECT_EQ(selection.step, step);
      ASSERT_NE(ImGui::GetDrawData(), nullptr);
      EXPECT_GT(ImGui::GetDrawData()->TotalVtxCount, 200);
    }
  EXPECT_GT(textures.uploads(), 0);
}

TEST_F(Headless, EveryStepOfTheLessonDraws) {
  for (int step = 0; step < app.session.trace().step_count(); ++step) {
    go_to_step(app, selection, step);
    frame();
    ASSERT_EQ(selection.step, step);
  }
}

TEST_F(Headless, ClickInStepDetailIsExplainedByChainRuleWithTheStoredGradient) {
  const int step = step_labelled("encoder.1.self_attn.head0.softmax", Phase::backward);
  go_to_step(app, selection, step);
  frames(3);
  const float chain_before = ImGui::FindWindowByName("###Chain rule")->ContentSize.y;

  ASSERT_TRUE(hover_element("###Step detail", Slot::downstream));
  const ElementRef hovered = selection.hover.element;
  click();
  ASSERT_EQ(selection.element, hovered);
  EXPECT_EQ(selection.token.side, TokenSide::source);  // the clicked row's token, for every panel
  EXPECT_EQ(selection.token.index, hovered.row);
  frames(2);
  EXPECT_GT(ImGui::FindWindowByName("###Chain rule")->ContentSize.y, chain_before + 50);

  const ChainExplanation chain = explain_selection(app, selection);
  const Explanation* e = std::get_if<Explanation>(&chain);
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->terms.empty());
  const Step& s = app.session.trace().step(step);
  const double stored = app.session.trace().share(s, static_cast<std::size_t>(hovered.index))(hovered.row, hovered.col);
  double sum = 0;
  for (const Term& t : e->terms) sum += t.product();
  EXPECT_NEAR(sum, stored, 1e-12 + 1e-9 * std::abs(stored));
  EXPECT_NEAR(e->sum, stored, 1e-12 + 1e-9 * std::abs(stored));
}

TEST_F(Headless, ForwardClickExplainsHowTheScoreWasComputed) {
  const int step = step_labelled("encoder.0.self_attn.head0.scores", Phase::forward);
  go_to_step(app, selection, step);
  frames(3);
  ASSERT_TRUE(hover_element("###Step detail", Slot::output));
  click();
  const ChainExplanation chain = explain_selection(app, selection);
  const ForwardExplanation* e = std::get_if<ForwardExplanation>(&chain);
  ASSERT_NE(e, nullptr);
  double sum = e->constant;
  for (const Term& t : e->terms) sum += t.product();
  EXPECT_NEAR(sum, e->value, 1e-12);
}

TEST_F(Headless, ClickInStepListMovesEveryPanelToThatStep) {
  frames(3);
  const ImGuiWindow* list = ImGui::FindWindowByName("###Steps");
  ASSERT_NE(list, nullptr);
  // The fourth row down (a step, below its group headers): click it.
  const float row = ImGui::GetTextLineHeightWithSpacing();
  ImGui::GetIO().MousePos = ImVec2(list->Pos.x + list->Size.x / 2, list->Pos.y + list->TitleBarHeight() + row * 4.5f);
  frame();
  click();
  EXPECT_GT(selection.step, 0);
  const Step& s = app.session.trace().step(selection.step);
  EXPECT_EQ(selection.where, s.where);
  EXPECT_EQ(app.index.blocks()[static_cast<std::size_t>(app.index.block_of_step(selection.step))].where.sublayer,
            s.where.sublayer);
}

TEST_F(Headless, KeyboardStepsPlaysAndScales) {
  frames(2);
  press(key(ImGuiKey_RightArrow));
  EXPECT_EQ(selection.step, 1);
  press(key(ImGuiKey_LeftArrow));
  EXPECT_EQ(selection.step, 0);
  press(key(ImGuiKey_RightArrow), true);
  const int next_block = selection.step;
  EXPECT_GT(next_block, 1);
  EXPECT_NE(app.session.trace().step(next_block).where, app.session.trace().step(0).where);
  press(key(ImGuiKey_End));
  EXPECT_EQ(selection.step, app.session.trace().step_count() - 1);
  press(key(ImGuiKey_Home));
  EXPECT_EQ(selection.step, 0);
  press(ui.keys.b);
  EXPECT_EQ(app.session.trace().step(selection.step).phase, Phase::backward);
  press(ui.keys.b);
  EXPECT_EQ(selection.step, 0);
  press(key(ImGuiKey_Space));
  EXPECT_TRUE(app.playing);
  advance_playback(app, selection, 1.0 / app.play_speed + 1e-6);
  EXPECT_EQ(selection.step, 1);
  press(key(ImGuiKey_Space));
  EXPECT_FALSE(app.playing);
  EXPECT_EQ(app.ui_scale, 1.0f);
  for (float size : {1.25f, 1.5f, 1.75f, 2.0f, 2.0f}) {  // Ctrl + through the offered sizes, then stays
    press(ui.keys.equal, false, true);
    EXPECT_FLOAT_EQ(app.ui_scale, size);
  }
  press(ui.keys.minus, false, true);
  EXPECT_FLOAT_EQ(app.ui_scale, 1.75f);
  press(ui.keys.zero, false, true);
  EXPECT_FLOAT_EQ(app.ui_scale, 1.0f);
  app.ui_scale = 1.21f;  // a size stored by an older version steps to the next offered one
  press(ui.keys.equal, false, true);
  EXPECT_FLOAT_EQ(app.ui_scale, 1.25f);
  EXPECT_EQ(selection.step, 1);  // Ctrl + / Ctrl − do not step
}

TEST(TextSize, AcceptsPercentagesAndFactors) {
  EXPECT_EQ(parse_text_size("150%"), 1.5f);
  EXPECT_EQ(parse_text_size("200"), 2.0f);
  EXPECT_EQ(parse_text_size("1.75"), 1.75f);
  EXPECT_EQ(parse_text_size("125 %"), 1.25f);
  EXPECT_FALSE(parse_text_size("400%"));
  EXPECT_FALSE(parse_text_size("big"));
  EXPECT_FALSE(parse_text_size(""));
}

TEST_F(Headless, RefusedSentenceChangesNothing) {
  frames(2);
  const double loss = app.session.trace().loss();
  const std::uint64_t generation = app.generation;
  commands.push(
      SetSentences{"the prince saved the princess the prince saved the princess the prince saved the "
                   "princess the prince saved",
                   "왕자 는"});
  apply_commands(commands, app, selection);
  EXPECT_FALSE(app.sentence_message.empty());
  EXPECT_EQ(app.generation, generation);
  EXPECT_EQ(app.session.trace().loss(), loss);
  frames(2);
}

TEST_F(Headless, NewSentenceRerunsAndKeepsTheStepLabel) {
  const int step = step_labelled("encoder.1.self_attn.head2.softmax", Phase::backward);
  go_to_step(app, selection, step);
  frames(2);
  const double loss = app.session.trace().loss();
  const std::uint64_t generation = app.generation;
  commands.push(SetSentences{"the princess saved the prince", "공주 는 왕자 를 구했다"});
  frame();
  EXPECT_TRUE(app.sentence_message.empty()) << app.sentence_message;
  EXPECT_EQ(app.generation, generation + 1);
  EXPECT_NE(app.session.trace().loss(), loss);
  EXPECT_EQ(app.session.trace().step(selection.step).label, "encoder.1.self_attn.head2.softmax");
  EXPECT_EQ(app.session.trace().step(selection.step).phase, Phase::backward);
  frames(2);

  commands.push(SetSentences{"the prince saved the dragonfly", "왕자 는 공주 를 구했다"});
  frame();
  EXPECT_NE(app.sentence_message.find("dragonfly"), std::string::npos) << app.sentence_message;
  EXPECT_EQ(app.generation, generation + 1);
}

TEST_F(Headless, PanelsTileTheDisplayAndResetLayoutPlacesThemAgain) {
  frames(2);
  const ImGuiWindow* chain = ImGui::FindWindowByName("###Chain rule");
  ASSERT_NE(chain, nullptr);
  EXPECT_NEAR(chain->Pos.x + chain->Size.x, 1600, 1);
  ImGui::SetWindowPos("###Chain rule", ImVec2(100, 300));
  frames(2);
  EXPECT_NEAR(chain->Pos.x, 100, 1);
  commands.push(ResetLayout{});
  const Effects effects = apply_commands(commands, app, selection);
  EXPECT_TRUE(effects.reset_layout);
  ui.reset_layout();
  frames(2);
  EXPECT_NEAR(chain->Pos.x + chain->Size.x, 1600, 1);

  ImGui::GetIO().DisplaySize = ImVec2(1366, 768);
  frames(2);
  EXPECT_NEAR(chain->Pos.x + chain->Size.x, 1366, 1);
  EXPECT_NEAR(chain->Pos.y + chain->Size.y, 768, 1);
}

TEST_F(Headless, TypingInTheSentenceBarAndEnterReruns) {
  frames(2);
  const ImGuiWindow* controls = ImGui::FindWindowByName("###Controls and sentences");
  ASSERT_NE(controls, nullptr);
  // Click down the left of the window until a text field takes the keyboard: the source.
  bool editing = false;
  for (float y = controls->Pos.y + 20; y < controls->Pos.y + controls->Size.y && !editing; y += 6) {
    ImGui::GetIO().MousePos = ImVec2(controls->Pos.x + 200, y);
    click();
    editing = ImGui::GetIO().WantTextInput;
  }
  ASSERT_TRUE(editing);
  go_to_step(app, selection, 0);
  press(key(ImGuiKey_End));
  for (char c : std::string(" the")) {
    ImGui::GetIO().AddInputCharacter(static_cast<unsigned>(c));
    frame();
  }
  EXPECT_EQ(app.generation, 1u);  // nothing runs while typing
  press(key(ImGuiKey_Enter));
  EXPECT_EQ(app.session.src_text(), "the prince saved the princess the");
  EXPECT_EQ(app.src_words.size(), 6u);
  EXPECT_EQ(app.generation, 2u);
  EXPECT_TRUE(app.sentence_message.empty()) << app.sentence_message;
}

TEST_F(Headless, ClickOnANavigatorBlockJumpsToItsFirstStep) {
  frames(2);
  const ImGuiWindow* navigator = ImGui::FindWindowByName("###Architecture");
  ASSERT_NE(navigator, nullptr);
  bool jumped = false;
  for (float y = navigator->Pos.y + 30; y < navigator->Pos.y + navigator->Size.y && !jumped; y += 10)
    for (float x = navigator->Pos.x + 10; x < navigator->Pos.x + navigator->Size.x && !jumped; x += 14) {
      ImGui::GetIO().MousePos = ImVec2(x, y);
      click();
      jumped = selection.step != 0;
    }
  ASSERT_TRUE(jumped);
  const Block& block = app.index.blocks()[static_cast<std::size_t>(app.index.block_of_step(selection.step))];
  EXPECT_EQ(selection.step, block.first_forward);
}

TEST_F(Headless, KeysStepAndTwin) {
  frames(2);
  const int last = app.session.trace().step_count() - 1;
  commands.push(GoToStep{last + 10});
  apply_commands(commands, app, selection);
  EXPECT_EQ(selection.step, last);
  const int forward = step_labelled("encoder.0.self_attn.head0.softmax", Phase::forward);
  const int backward = step_labelled("encoder.0.self_attn.head0.softmax", Phase::backward);
  EXPECT_EQ(twin_step(app.session.trace(), forward), backward);
  EXPECT_EQ(twin_step(app.session.trace(), backward), forward);
}

}  // namespace
}  // namespace attnviz::views
